using System.Collections.Concurrent;
using IocTwin.Grains;
using IocTwin.History;

namespace IocTwin.Api.Ingest;

public sealed record IngestResult(int Accepted, IReadOnlyList<ReadingRejection> Rejected);

/// <summary>
/// The ingest path: readings of unknown sensors are rejected; the rest are stored in history (durable) and only then
/// handed to their sensor grains, one call per sensor per batch. What is acknowledged survives a silo crash:
/// a sensor grain catches up from history when it is activated again.
/// </summary>
public sealed class IngestService(IGrainFactory grains, ReadingHistory history, ILogger<IngestService> logger)
{
    // Sensors are never deleted, so a sensor once seen registered stays known; unknown ids are asked again each time.
    private readonly ConcurrentDictionary<string, bool> _knownSensors = new(StringComparer.Ordinal);

    public async Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected)
    {
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
        try
        {
            await Task.WhenAll(accepted.Select(g => grains.GetGrain<ISensorGrain>(g.Key).Record([.. g.Select(r => r.Reading)], batch)));
        }
        catch (Exception ex)
        {
            // Stored already: the grains catch up from history when they are reachable again.
            logger.LogWarning(ex, "Readings stored but not yet applied to the live twin");
        }
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new IngestResult(accepted.Sum(g => g.Count()), rejected);
    }

    private async Task<bool> IsKnownAsync(string sensorId)
    {
        if (_knownSensors.ContainsKey(sensorId))
        {
            return true;
        }
        var registered = await grains.GetGrain<ISensorGrain>(sensorId).IsRegistered();
        if (registered)
        {
            _knownSensors.TryAdd(sensorId, true);
        }
        return registered;
    }
}
