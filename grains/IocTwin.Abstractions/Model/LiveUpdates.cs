namespace IocTwin.Model;

/// <summary>A segment's live state as it streams to screens (geometry comes once, with the snapshot).</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentLive(
    [property: Id(0)] string Id,
    [property: Id(1)] string DistrictId,
    [property: Id(2)] SegmentStatus Status,
    [property: Id(3)] SegmentTraffic Traffic,
    [property: Id(4)] long Version);

/// <summary>A sensor's live state as it streams to screens; its reading count is its version.</summary>
[GenerateSerializer, Immutable]
public sealed record SensorLive(
    [property: Id(0)] string Id,
    [property: Id(1)] string DistrictId,
    [property: Id(2)] string? SegmentId,
    [property: Id(3)] SensorKind Kind,
    [property: Id(4)] Sector Sector,
    [property: Id(5)] DateTimeOffset? LastSeen,
    [property: Id(6)] Dictionary<string, double> Values,
    [property: Id(7)] long ReadingCount);

/// <summary>What changed in one district since its last update: its KPIs, the segments and sensors that moved, its alerts raised or changed.</summary>
[GenerateSerializer, Immutable]
public sealed record DistrictUpdate(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] DistrictKpis Kpis,
    [property: Id(3)] long Version,
    [property: Id(4)] SegmentLive[] Segments,
    [property: Id(5)] SensorLive[] Sensors,
    [property: Id(6)] AlertView[] Alerts);

[GenerateSerializer, Immutable]
public sealed record CityUpdate(
    [property: Id(0)] DistrictKpis Kpis,
    [property: Id(1)] long Version);
