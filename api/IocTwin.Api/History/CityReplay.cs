using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Api.History;

public sealed record ReplayedSensor(string Id, string DistrictId, string? SegmentId, SensorKind Kind, Sector Sector, Reading? LastReading, SensorHealth Health);

public sealed record ReplayedSegment(string Id, string DistrictId, SegmentStatus Status, SegmentTraffic Traffic);

public sealed record ReplayedDistrict(string Id, string Name, DistrictKpis Kpis);

/// <summary>The whole twin as it was at a time, rebuilt from reading history with the live twin's own rules.</summary>
public sealed record CityAt(DateTimeOffset Time, DistrictKpis Kpis, List<ReplayedDistrict> Districts, List<ReplayedSegment> Segments, List<ReplayedSensor> Sensors);

/// <summary>
/// Rebuilds the city at a past time: each sensor's newest reading at or before that time, rolled up through the same
/// segment and KPI rules as the live twin. Topology is today's; readings are as they were.
/// </summary>
public sealed class CityReplay(IGrainFactory grains, IReadingHistory history)
{
    public async Task<CityAt> AtAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        var views = await LiveTopology.ReadViewsAsync(grains, await LiveTopology.DistrictIdsAsync(grains));
        var readings = await history.LatestAtAsync(time, cancellationToken);

        var snapshots = new Dictionary<string, SensorSnapshot>();
        var sensors = new List<ReplayedSensor>();
        foreach (var sensor in views.Sensors)
        {
            var reading = readings.GetValueOrDefault(sensor.Id);
            DateTimeOffset? seen = reading is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(reading.ReceivedMs, time.ToUnixTimeMilliseconds()));
            snapshots[sensor.Id] = new SensorSnapshot(sensor.Id, sensor.Kind, sensor.Sector, seen, reading?.Values ?? [], reading is null ? 0 : 1);
            sensors.Add(new ReplayedSensor(sensor.Id, sensor.DistrictId, sensor.SegmentId, sensor.Kind, sensor.Sector,
                reading is null ? null : new Reading(reading.Timestamp, reading.Values), HealthPolicy.Classify(seen, time)));
        }

        var segmentsByDistrict = new Dictionary<string, List<SegmentSnapshot>>();
        var segments = new List<ReplayedSegment>();
        foreach (var segment in views.Segments)
        {
            var own = segment.SensorIds.Select(snapshots.GetValueOrDefault).OfType<SensorSnapshot>().ToList();
            var (status, traffic) = SegmentTrafficModel.Derive(segment.Spec, own, time);
            segments.Add(new ReplayedSegment(segment.Spec.Id, segment.Spec.DistrictId, status, traffic));
            if (!segmentsByDistrict.TryGetValue(segment.Spec.DistrictId, out var list))
            {
                segmentsByDistrict[segment.Spec.DistrictId] = list = [];
            }
            list.Add(new SegmentSnapshot(segment.Spec.Id, segment.Spec.LengthM, status, traffic, own, 0));
        }

        var districts = new List<ReplayedDistrict>();
        foreach (var district in views.Districts)
        {
            var direct = sensors.Where(s => s.DistrictId == district.Id && s.SegmentId is null).Select(s => snapshots[s.Id]);
            var kpis = KpiCalculator.ForDistrict(segmentsByDistrict.GetValueOrDefault(district.Id) ?? [], direct, openAlerts: 0, time);
            districts.Add(new ReplayedDistrict(district.Id, district.Name, kpis));
        }
        return new CityAt(time, KpiCalculator.ForCity(districts.Select(d => d.Kpis)), districts, segments, sensors);
    }
}
