using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Ingest;

public sealed record IngestResult(int Accepted, IReadOnlyList<ReadingRejection> Rejected);

/// <summary>Hands validated readings to their sensor grains, one call per sensor per batch.</summary>
public sealed class IngestService(IGrainFactory grains)
{
    public async Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected)
    {
        var bySensor = readings.GroupBy(r => r.SensorId, StringComparer.Ordinal).ToList();
        var results = await Task.WhenAll(bySensor.Select(group =>
            grains.GetGrain<ISensorGrain>(group.Key).Record([.. group.Select(r => r.Reading)])));

        var accepted = 0;
        var rejected = new List<ReadingRejection>(alreadyRejected);
        for (var i = 0; i < bySensor.Count; i++)
        {
            if (results[i].SensorKnown)
            {
                accepted += results[i].Accepted;
            }
            else
            {
                rejected.AddRange(bySensor[i].Select(r => new ReadingRejection(r.Index, "sensorId", $"unknown sensor '{r.SensorId}'")));
            }
        }
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new IngestResult(accepted, rejected);
    }
}
