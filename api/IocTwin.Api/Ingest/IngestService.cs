using System.Collections.Concurrent;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;
using IocTwin.Telemetry;

namespace IocTwin.Api.Ingest;

public sealed record IngestResult(int Accepted, IReadOnlyList<ReadingRejection> Rejected);

/// <summary>Where parsed readings go: stored in history, then applied to their sensor grains.</summary>
public interface IReadingIngest
{
    /// <summary>
    /// Stores and applies the readings of known sensors; throws when nothing could be stored, and
    /// <see cref="IngestSaturatedException"/> when the twin is taking all it can apply (nothing stored either).
    /// </summary>
    Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected);
}

/// <summary>
/// The ingest path: readings of unknown sensors are rejected; the rest are stored in history (durable) and only then
/// handed to their sensor grains, one call per sensor per batch. What is acknowledged survives a silo crash:
/// a sensor grain catches up from history when it is activated again.
/// </summary>
public sealed class IngestService(
    IGrainFactory grains, IReadingHistory history, LateDeliveries late, IngestAdmission admission, ILogger<IngestService> logger) : IReadingIngest
{
    // Sensors are never deleted, so a sensor once seen registered stays known; unknown ids are asked again each time.
    // The grain reference is kept with it: making one costs more than the call it is for.
    private readonly ConcurrentDictionary<string, ISensorGrain> _knownSensors = new(StringComparer.Ordinal);

    public async Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected)
    {
        // Held until the sensors applied the batch: what waits here is not yet acknowledged, nor stored.
        using var budget = await admission.EnterAsync(readings.Count);
        using var activity = TwinTelemetry.Activities.StartActivity("ingest");
        var rejected = new List<ReadingRejection>(alreadyRejected);
        var batch = SensorBatch.Of(readings);
        var known = await KnownAsync(batch.SensorIds);

        var stored = new List<(string SensorId, Reading Reading)>(readings.Count);
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            if (known[batch.SlotOf[i]] is not null)
            {
                stored.Add((reading.SensorId, reading.Reading));
            }
            else
            {
                rejected.Add(new ReadingRejection(reading.Index, "sensorId", $"unknown sensor '{reading.SensorId}'"));
            }
        }

        var committed = await history.AppendAsync(stored);
        await DeliverAllAsync(batch, known, readings, committed);
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        TwinTelemetry.ReadingsAccepted.Add(stored.Count);
        TwinTelemetry.ReadingsRejected.Add(rejected.Count);
        activity?.SetTag("ioctwin.readings.accepted", stored.Count);
        return new IngestResult(stored.Count, rejected);
    }

    /// <summary>
    /// The readings of a batch by sensor, in the order sensors first appear. Most batches carry one reading per
    /// sensor, so this is a map and two arrays rather than a grouping object per sensor.
    /// </summary>
    private sealed class SensorBatch
    {
        public required List<string> SensorIds { get; init; }
        public required int[] SlotOf { get; init; }
        public required int[] CountOf { get; init; }

        public static SensorBatch Of(IReadOnlyList<ParsedReading> readings)
        {
            var slots = new Dictionary<string, int>(readings.Count, StringComparer.Ordinal);
            var sensorIds = new List<string>(readings.Count);
            var slotOf = new int[readings.Count];
            var countOf = new int[readings.Count];
            for (var i = 0; i < readings.Count; i++)
            {
                var sensorId = readings[i].SensorId;
                if (!slots.TryGetValue(sensorId, out var slot))
                {
                    slot = sensorIds.Count;
                    slots.Add(sensorId, slot);
                    sensorIds.Add(sensorId);
                }
                slotOf[i] = slot;
                countOf[slot]++;
            }
            return new SensorBatch { SensorIds = sensorIds, SlotOf = slotOf, CountOf = countOf };
        }
    }

    /// <summary>
    /// Each sensor's grain when it is registered, null when not; only sensors not seen registered before are asked.
    /// The references found here are the ones delivered to, so a sensor costs one lookup in the known map per batch.
    /// </summary>
    private async Task<ISensorGrain?[]> KnownAsync(List<string> sensorIds)
    {
        var known = new ISensorGrain?[sensorIds.Count];
        List<(int Slot, Task<ISensorGrain?> Registered)>? asked = null;
        for (var slot = 0; slot < sensorIds.Count; slot++)
        {
            if (_knownSensors.TryGetValue(sensorIds[slot], out var sensor))
            {
                known[slot] = sensor;
            }
            else
            {
                (asked ??= []).Add((slot, IsRegisteredAsync(sensorIds[slot])));
            }
        }
        if (asked is not null)
        {
            await Task.WhenAll(asked.Select(a => a.Registered));
            foreach (var (slot, registered) in asked)
            {
                known[slot] = registered.Result;
            }
        }
        return known;
    }

    /// <summary>
    /// One call per sensor, all in flight together; only the calls that failed go through the retries, so the common
    /// case costs no wrapper per sensor.
    /// </summary>
    private async Task DeliverAllAsync(SensorBatch batch, ISensorGrain?[] known, IReadOnlyList<ParsedReading> readings, HistoryBatch committed)
    {
        var perSensor = new Reading[batch.SensorIds.Count][];
        var filled = new int[batch.SensorIds.Count];
        for (var i = 0; i < readings.Count; i++)
        {
            var slot = batch.SlotOf[i];
            if (known[slot] is not null)
            {
                (perSensor[slot] ??= new Reading[batch.CountOf[slot]])[filled[slot]++] = readings[i].Reading;
            }
        }
        var slots = new List<int>(perSensor.Length);
        var calls = new List<Task>(perSensor.Length);
        for (var slot = 0; slot < perSensor.Length; slot++)
        {
            if (perSensor[slot] is { } sensorReadings)
            {
                slots.Add(slot);
                calls.Add(known[slot]!.Record(sensorReadings, committed));
            }
        }
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            var retries = new List<Task>();
            for (var i = 0; i < calls.Count; i++)
            {
                if (!calls[i].IsCompletedSuccessfully)
                {
                    var sensorId = batch.SensorIds[slots[i]];
                    logger.LogDebug(calls[i].Exception?.GetBaseException(), "Delivery of stored readings to {Sensor} failed; retrying", sensorId);
                    var sensorReadings = perSensor[slots[i]];
                    var sensor = known[slots[i]]!;
                    retries.Add(late.RetryAsync(sensorId, GiveUpAt(committed), () => sensor.Record(sensorReadings, committed)));
                }
            }
            await Task.WhenAll(retries);
        }
    }

    // Attempts stop this long before a sensor forgets the batch, so that none can apply it twice.
    private static readonly TimeSpan LateDeliveryMargin = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Until when a failed delivery may be repeated. The batch key makes delivery idempotent, so a failed call (a silo
    /// going down) is simply repeated: a grain that already caught up from history would otherwise never see this batch.
    /// </summary>
    private static DateTimeOffset GiveUpAt(HistoryBatch batch) =>
        DateTimeOffset.FromUnixTimeMilliseconds(batch.CommittedMs) + SensorGrain.BatchMemory - LateDeliveryMargin;

    private async Task<ISensorGrain?> IsRegisteredAsync(string sensorId)
    {
        var sensor = grains.GetGrain<ISensorGrain>(sensorId);
        if (!await sensor.IsRegistered())
        {
            return null;
        }
        return _knownSensors.GetOrAdd(sensorId, sensor);
    }
}
