namespace IocTwin.Model;

/// <summary>A district as registered: its name and boundary (outer ring, closed or not).</summary>
[GenerateSerializer, Immutable]
public sealed record DistrictSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] IReadOnlyList<GeoPoint> Boundary);

/// <summary>A road segment as registered. Flow may run both ways unless <see cref="OneWay"/>.</summary>
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

/// <summary>A sensor as registered. It belongs to a road segment when <see cref="SegmentId"/> is set, else to its district.</summary>
[GenerateSerializer, Immutable]
public sealed record SensorSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] string DistrictId,
    [property: Id(5)] string? SegmentId,
    [property: Id(6)] string? Name);

/// <summary>A whole city's topology: what an import or the synthetic generator produces.</summary>
public sealed record CitySpec(
    string Id,
    string Name,
    IReadOnlyList<DistrictSpec> Districts,
    IReadOnlyList<SegmentSpec> Segments,
    IReadOnlyList<SensorSpec> Sensors);
