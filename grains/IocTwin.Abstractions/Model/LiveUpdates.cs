namespace IocTwin.Model;

/// <summary>
/// What changed in one area since its last update (<see cref="ParentId"/>: its parent area, null under the city): its KPIs (whole and per sector), the segments and sensors that
/// moved (as the records screens receive, with only their live fields), its alerts raised or changed.
/// Ids 4 and 5 were the segments and sensors in earlier shapes: not to be reused.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DistrictUpdate(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] DistrictKpis Kpis,
    [property: Id(3)] long Version,
    [property: Id(8)] SegmentView[] Segments,
    [property: Id(9)] SensorView[] Sensors,
    [property: Id(6)] AlertView[] Alerts,
    [property: Id(7)] IReadOnlyDictionary<Sector, DistrictKpis> Sectors,
    [property: Id(10)] string? ParentId = null);

/// <summary>
/// Topology registered or changed through one API process (<see cref="Origin"/>), for every API process: these areas
/// gained, lost or changed segments, sensors or child areas (every area when none are named). <see cref="TreeChanged"/>:
/// areas were registered, re-parented or renamed; <see cref="Moved"/>: a segment or sensor left one area for another.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopologyChange(
    [property: Id(0)] Guid Origin,
    [property: Id(1)] string[] AreaIds,
    [property: Id(2)] bool TreeChanged,
    [property: Id(3)] bool Moved);
