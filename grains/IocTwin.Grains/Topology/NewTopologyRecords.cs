using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// The stored state of a segment or sensor new to the twin, as an import writes it in its batch rows, and the views
/// their grains would answer from it: the process that imported them holds them without activating a grain.
/// </summary>
public static class NewTopologyRecords
{
    public static RoadSegmentState SegmentState(SegmentSpec spec, IEnumerable<SensorSpec> sensorsOnIt)
    {
        var sensors = sensorsOnIt.ToDictionary(s => s.Id, SensorGrain.Unseen);
        return new RoadSegmentState { Spec = spec, Sensors = sensors, Version = 1 + sensors.Count };
    }

    public static SensorState SensorState(SensorSpec spec) => new() { Spec = spec, Version = 1 };

    /// <summary>
    /// The views of the segments and sensors an import of <paramref name="city"/> stores as rows, as their grains would
    /// answer once stored. A new segment that a sensor the twin held already moves onto is left out: that sensor attaches
    /// itself through the segment's grain, which then answers otherwise.
    /// </summary>
    public static TwinViews Views(CitySpec city, KnownTopology known, DateTimeOffset now)
    {
        var (segments, sensors) = TopologyImporter.NewRows(city, known);
        var newSensorIds = sensors.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var joinedLive = city.Sensors.Where(s => s.SegmentId is not null && !newSensorIds.Contains(s.Id))
            .Select(s => s.SegmentId!).ToHashSet(StringComparer.Ordinal);
        var onSegment = sensors.Where(s => s.SegmentId is not null).ToLookup(s => s.SegmentId!, StringComparer.Ordinal);
        return new TwinViews([],
            [.. segments.Where(s => !joinedLive.Contains(s.Id)).Select(s => RoadSegmentGrain.ViewOf(s, SegmentState(s, onSegment[s.Id]), now))],
            [.. sensors.Select(s => SensorGrain.ViewOf(s, SensorState(s), now))]);
    }
}
