namespace IocTwin.Model;

/// <summary>
/// An administrative area as registered (a district, ward, commune, special zone ... as the city's data names its
/// <see cref="Kind"/>): its names and boundary (the outer ring, closed or not; a MultiPolygon's other parts in
/// <see cref="MoreParts"/>), its parent area (null: directly under the city) and whether the boundary is only
/// approximate. The record keeps its name from when districts were the only level; <see cref="Kind"/> is null in
/// state stored then and reads as <see cref="AreaKinds.District"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DistrictSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] IReadOnlyList<GeoPoint> Boundary,
    [property: Id(4)] string Kind = AreaKinds.District,
    [property: Id(5)] string? ParentId = null,
    [property: Id(6)] bool Schematic = false,
    [property: Id(7)] IReadOnlyList<IReadOnlyList<GeoPoint>>? MoreParts = null)
{
    /// <summary>Every polygon of the boundary: the first, then a MultiPolygon's others.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<IReadOnlyList<GeoPoint>> Parts => MoreParts is null ? [Boundary] : [Boundary, .. MoreParts];
}

/// <summary>A road segment as registered. <see cref="DistrictId"/> names the lowest (leaf) area holding it. Flow may run both ways unless <see cref="OneWay"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string DistrictId,
    [property: Id(3)] string FromNode,
    [property: Id(4)] string ToNode,
    [property: Id(5)] IReadOnlyList<GeoPoint> Geometry,
    [property: Id(6)] double LengthM,
    [property: Id(7)] int Lanes,
    [property: Id(8)] double CapacityVph,
    [property: Id(9)] double FreeFlowSpeedKmh,
    [property: Id(10)] SegmentStatus Status,
    [property: Id(11)] string? RoadClass,
    [property: Id(12)] bool OneWay);

/// <summary>
/// A sensor as registered. It belongs to a road segment when <see cref="SegmentId"/> is set, else to its area:
/// <see cref="DistrictId"/> names the lowest (leaf) area holding it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SensorSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] string DistrictId,
    [property: Id(5)] string? SegmentId,
    [property: Id(6)] string? Name);

/// <summary>
/// A whole city's topology: what an import or the synthetic generator produces. <see cref="Districts"/> holds its
/// areas of every level, each parent before its children.
/// </summary>
public sealed record CitySpec(
    string Id,
    string Name,
    IReadOnlyList<DistrictSpec> Districts,
    IReadOnlyList<SegmentSpec> Segments,
    IReadOnlyList<SensorSpec> Sensors);
