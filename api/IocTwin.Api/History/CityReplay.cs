using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Api.History;

/// <summary>
/// The whole twin (or some areas and everything below them) as it was at a time, rebuilt from reading history with the
/// live twin's own rules: the same records as the live twin's, without the parts history does not keep (geometry and
/// specs come from the live topology). <see cref="Districts"/> holds every area at every level, each with its parent and
/// kind, so a screen replays whichever level it shows; <see cref="Kpis"/> are those of the whole (the city, or the areas
/// asked for together).
/// </summary>
public sealed record CityAt(DateTimeOffset Time, DistrictKpis Kpis, List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors);

/// <summary>
/// Rebuilds the city at a past time: each sensor's newest reading at or before that time, rolled up through the same
/// segment and KPI rules as the live twin, from the lowest areas up the tree of areas as the area grains roll up.
/// Topology is today's; readings are as they were.
/// </summary>
public sealed class CityReplay(IGrainFactory grains, IReadingHistory history)
{
    /// <param name="areaIds">The areas to rebuild with everything below them; null: the whole city.</param>
    public async Task<CityAt> AtAsync(DateTimeOffset time, CancellationToken cancellationToken, IReadOnlyCollection<string>? areaIds = null)
    {
        var tree = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
        var tops = areaIds is null ? [.. tree.Links.Where(l => l.ParentId is null || !tree.Contains(l.ParentId)).Select(l => l.Id)] : areaIds.ToList();
        var views = await LiveTopology.ReadViewsAsync(grains, [.. tops.SelectMany(tree.Subtree).Distinct()]);
        // Some areas: only their sensors' history is read, not the city's.
        var readings = await history.LatestAtAsync(time, areaIds is null ? null : HistorySeries.Only(views.Sensors.Select(s => s.Id)), cancellationToken);

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

        var segmentsByArea = new Dictionary<string, List<SegmentSnapshot>>();
        var segments = new List<SegmentView>();
        foreach (var segment in views.Segments)
        {
            var own = segment.SensorIds!.Select(snapshots.GetValueOrDefault).OfType<SensorSnapshot>().ToList();
            var (status, traffic) = SegmentTrafficModel.Derive(segment.Spec!, own, time);
            segments.Add(new SegmentView(segment.Id, segment.DistrictId, Spec: null, status, traffic, SensorIds: null, Version: 0));
            if (!segmentsByArea.TryGetValue(segment.DistrictId, out var list))
            {
                segmentsByArea[segment.DistrictId] = list = [];
            }
            list.Add(new SegmentSnapshot(segment.Id, segment.Spec!.LengthM, status, traffic, own, 0));
        }

        var directByArea = sensors.Where(s => s.SegmentId is null).ToLookup(s => s.DistrictId, s => snapshots[s.Id]);
        var areas = views.Districts.ToDictionary(d => d.Id);
        var rolledUp = new Dictionary<string, (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors)>();
        // An area's KPIs: its own roads and sensors, and its children's as rolled up, as DistrictGrain counts them live.
        (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) KpisOf(string id)
        {
            if (rolledUp.TryGetValue(id, out var known))
            {
                return known;
            }
            var ownSegments = segmentsByArea.GetValueOrDefault(id) ?? [];
            var ownSensors = directByArea[id].ToList();
            var children = tree.Children(id).Where(areas.ContainsKey)
                .Select(c => (Id: c, Kpis: KpisOf(c)))
                .Select(c => new DistrictSnapshot(c.Id, areas[c.Id].Name, null, c.Kpis.Area, 0, Sectors: c.Kpis.Sectors))
                .ToList();
            var kpis = KpiCalculator.ForArea(KpiCalculator.ForDistrictAndSectors(ownSegments, ownSensors, [], time),
                hasOwnMembers: ownSegments.Count > 0 || ownSensors.Count > 0, children);
            return rolledUp[id] = kpis;
        }

        var districts = views.Districts.Select(d => new DistrictView(d.Id, d.Name, NameEn: null, Boundary: null, KpisOf(d.Id).Area,
            SegmentCount: null, SensorCount: null, Version: 0, Kind: d.Kind, ParentId: d.ParentId)).ToList();
        return new CityAt(time, KpiCalculator.ForCity(tops.Where(areas.ContainsKey).Select(id => KpisOf(id).Area)), districts, segments, sensors);
    }
}
