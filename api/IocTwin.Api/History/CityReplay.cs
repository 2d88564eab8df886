using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Api.History;

/// <summary>
/// The whole twin as it was at a time, rebuilt from reading history with the live twin's own rules: the same records
/// as the live twin's, without the parts history does not keep (geometry and specs come from the live topology).
/// </summary>
public sealed record CityAt(DateTimeOffset Time, DistrictKpis Kpis, List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors);

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
        var sensors = new List<SensorView>();
        foreach (var sensor in views.Sensors)
        {
            var reading = readings.GetValueOrDefault(sensor.Id);
            DateTimeOffset? seen = reading is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(reading.ReceivedMs, time.ToUnixTimeMilliseconds()));
            var values = reading?.Values ?? [];
            snapshots[sensor.Id] = new SensorSnapshot(sensor.Id, sensor.Kind, sensor.Sector, seen, values, reading is null ? 0 : 1);
            sensors.Add(new SensorView(sensor.Id, Name: null, sensor.Kind, sensor.Sector, Location: null, sensor.DistrictId, sensor.SegmentId,
                reading is null ? null : new Reading(reading.Timestamp, reading.Values), HealthPolicy.Classify(seen, time),
                ReadingCount: reading is null ? 0 : 1, Version: null, seen, values));
        }

        var segmentsByDistrict = new Dictionary<string, List<SegmentSnapshot>>();
        var segments = new List<SegmentView>();
        foreach (var segment in views.Segments)
        {
            var own = segment.SensorIds!.Select(snapshots.GetValueOrDefault).OfType<SensorSnapshot>().ToList();
            var (status, traffic) = SegmentTrafficModel.Derive(segment.Spec!, own, time);
            segments.Add(new SegmentView(segment.Id, segment.DistrictId, Spec: null, status, traffic, SensorIds: null, Version: 0));
            if (!segmentsByDistrict.TryGetValue(segment.DistrictId, out var list))
            {
                segmentsByDistrict[segment.DistrictId] = list = [];
            }
            list.Add(new SegmentSnapshot(segment.Id, segment.Spec!.LengthM, status, traffic, own, 0));
        }

        var districts = new List<DistrictView>();
        foreach (var district in views.Districts)
        {
            var direct = sensors.Where(s => s.DistrictId == district.Id && s.SegmentId is null).Select(s => snapshots[s.Id]);
            var kpis = KpiCalculator.ForDistrict(segmentsByDistrict.GetValueOrDefault(district.Id) ?? [], direct, openAlerts: 0, time);
            districts.Add(new DistrictView(district.Id, district.Name, NameEn: null, Boundary: null, kpis, SegmentCount: null, SensorCount: null, Version: 0));
        }
        return new CityAt(time, KpiCalculator.ForCity(districts.Select(d => d.Kpis)), districts, segments, sensors);
    }
}
