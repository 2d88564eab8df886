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
    /// <summary>Stores and applies the readings of known sensors; throws when nothing could be stored.</summary>
    Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected);
}

/// <summary>
/// The ingest path: readings of unknown sensors are rejected; the rest are stored in history (durable) and only then
/// handed to their sensor grains, one call per sensor per batch. What is acknowledged survives a silo crash:
/// a sensor grain catches up from history when it is activated again.
/// </summary>
public sealed class IngestService(IGrainFactory grains, ReadingHistory history, ILogger<IngestService> logger) : IReadingIngest
{
    // Sensors are never deleted, so a sensor once seen registered stays known; unknown ids are asked again each time.
    // The grain reference is kept with it: making one costs more than the call it is for.
    private readonly ConcurrentDictionary<string, ISensorGrain> _knownSensors = new(StringComparer.Ordinal);

    public async Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected)
    {
        using var activity = TwinTelemetry.Activities.StartActivity("ingest");
        var rejected = new List<ReadingRejection>(alreadyRejected);
        var bySensor = readings.GroupBy(r => r.SensorId, StringComparer.Ordinal).ToList();
        var known = await Task.WhenAll(bySensor.Select(g => IsKnownAsync(g.Key)));
        var accepted = new List<IGrouping<string, ParsedReading>>(bySensor.Count);
        for (var i = 0; i < bySensor.Count; i++)
        {
            if (known[i])
            {
                accepted.Add(bySensor[i]);
            }
            else
            {
                rejected.AddRange(bySensor[i].Select(r => new ReadingRejection(r.Index, "sensorId", $"unknown sensor '{r.SensorId}'")));
            }
        }

        var batch = await history.AppendAsync([.. accepted.SelectMany(g => g.Select(r => (r.SensorId, r.Reading)))]);
        await DeliverAllAsync(accepted, batch);
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        var count = accepted.Sum(g => g.Count());
        TwinTelemetry.ReadingsAccepted.Add(count);
        TwinTelemetry.ReadingsRejected.Add(rejected.Count);
        activity?.SetTag("ioctwin.readings.accepted", count);
        return new IngestResult(count, rejected);
    }

    /// <summary>
    /// One call per sensor, all in flight together; only the calls that failed go through the retries, so the common
    /// case costs no wrapper per sensor.
    /// </summary>
    private async Task DeliverAllAsync(List<IGrouping<string, ParsedReading>> accepted, HistoryBatch batch)
    {
        var readings = new Reading[accepted.Count][];
        var calls = new Task[accepted.Count];
        for (var i = 0; i < accepted.Count; i++)
        {
            readings[i] = [.. accepted[i].Select(r => r.Reading)];
            calls[i] = Sensor(accepted[i].Key).Record(readings[i], batch);
        }
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            var retries = new List<Task>();
            for (var i = 0; i < calls.Length; i++)
            {
                if (!calls[i].IsCompletedSuccessfully)
                {
                    logger.LogDebug(calls[i].Exception?.GetBaseException(), "Delivery of stored readings to {Sensor} failed; retrying", accepted[i].Key);
                    retries.Add(DeliverAsync(accepted[i].Key, readings[i], batch));
                }
            }
            await Task.WhenAll(retries);
        }
    }

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>
    /// Tries a failed delivery again, after a pause each time. The batch key makes delivery idempotent, so a failed call
    /// (a silo going down) is simply repeated: a grain that already caught up from history would otherwise never see this batch.
    /// </summary>
    private async Task DeliverAsync(string sensorId, Reading[] readings, HistoryBatch batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Delay(RetryDelays[attempt]);
                await Sensor(sensorId).Record(readings, batch);
                return;
            }
            catch (Exception ex) when (attempt < RetryDelays.Length - 1)
            {
                logger.LogDebug(ex, "Delivery of stored readings to {Sensor} failed; retrying", sensorId);
            }
            catch (Exception ex)
            {
                // Stored already: the grain catches up from history when it is next activated.
                logger.LogWarning(ex, "Readings of {Sensor} stored but not yet applied to the live twin", sensorId);
                return;
            }
        }
    }

    private ISensorGrain Sensor(string sensorId) =>
        _knownSensors.TryGetValue(sensorId, out var sensor) ? sensor : grains.GetGrain<ISensorGrain>(sensorId);

    private async Task<bool> IsKnownAsync(string sensorId)
    {
        if (_knownSensors.ContainsKey(sensorId))
        {
            return true;
        }
        var sensor = grains.GetGrain<ISensorGrain>(sensorId);
        var registered = await sensor.IsRegistered();
        if (registered)
        {
            _knownSensors.TryAdd(sensorId, sensor);
        }
        return registered;
    }
}
