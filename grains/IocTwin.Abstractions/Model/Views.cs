namespace IocTwin.Model;

/// <summary>A KPI value with the time of the newest data behind it; null value when nothing is known yet.</summary>
[GenerateSerializer, Immutable]
public sealed record Kpi([property: Id(0)] double? Value, [property: Id(1)] DateTimeOffset? AsOf)
{
    public static readonly Kpi Unknown = new(null, null);
}

[GenerateSerializer, Immutable]
public sealed record SensorView(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] SensorKind Kind,
    [property: Id(3)] Sector Sector,
    [property: Id(4)] GeoPoint Location,
    [property: Id(5)] string DistrictId,
    [property: Id(6)] string? SegmentId,
    [property: Id(7)] Reading? LastReading,
    [property: Id(8)] SensorHealth Health,
    [property: Id(9)] long ReadingCount,
    [property: Id(10)] long Version,
    [property: Id(11)] DateTimeOffset? LastSeen);

/// <summary>Live traffic on a segment, derived from its sensors.</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentTraffic(
    [property: Id(0)] double? FlowVph,
    [property: Id(1)] double? SpeedKmh,
    [property: Id(2)] double? Occupancy,
    [property: Id(3)] LevelOfService? Los,
    [property: Id(4)] double? WaterLevelM,
    [property: Id(5)] DateTimeOffset? AsOf)
{
    public static readonly SegmentTraffic None = new(null, null, null, null, null, null);
}

[GenerateSerializer, Immutable]
public sealed record SegmentView(
    [property: Id(0)] SegmentSpec Spec,
    [property: Id(1)] SegmentStatus Status,
    [property: Id(2)] SegmentTraffic Traffic,
    [property: Id(3)] IReadOnlyList<string> SensorIds,
    [property: Id(4)] long Version);

/// <summary>What a segment reports up to its district.</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentSnapshot(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] double LengthM,
    [property: Id(2)] SegmentStatus Status,
    [property: Id(3)] SegmentTraffic Traffic,
    [property: Id(4)] IReadOnlyList<SensorSnapshot> Sensors,
    [property: Id(5)] long Version);

[GenerateSerializer, Immutable]
public sealed record DistrictKpis(
    [property: Id(0)] Kpi MeanSpeedKmh,
    [property: Id(1)] Kpi CongestedKm,
    [property: Id(2)] Kpi WorstAqi,
    [property: Id(3)] Kpi MaxWaterLevelM,
    [property: Id(4)] Kpi SensorsOnline,
    [property: Id(5)] Kpi SensorsStale,
    [property: Id(6)] Kpi SensorsOffline,
    [property: Id(7)] Kpi OpenAlerts,
    [property: Id(8)] Kpi MonitoredKm)
{
    public static readonly DistrictKpis Empty = new(Kpi.Unknown, Kpi.Unknown, Kpi.Unknown, Kpi.Unknown,
        Kpi.Unknown, Kpi.Unknown, Kpi.Unknown, Kpi.Unknown, Kpi.Unknown);
}

[GenerateSerializer, Immutable]
public sealed record DistrictView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] IReadOnlyList<GeoPoint> Boundary,
    [property: Id(4)] DistrictKpis Kpis,
    [property: Id(5)] int SegmentCount,
    [property: Id(6)] int SensorCount,
    [property: Id(7)] long Version);

/// <summary>Ids of what belongs to a district, directly or through its segments.</summary>
[GenerateSerializer, Immutable]
public sealed record DistrictMembers(
    [property: Id(0)] IReadOnlyList<string> SegmentIds,
    [property: Id(1)] IReadOnlyList<string> SensorIds);

/// <summary>What a district reports up to the city.</summary>
[GenerateSerializer, Immutable]
public sealed record DistrictSnapshot(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] DistrictKpis Kpis,
    [property: Id(4)] long Version);

[GenerateSerializer, Immutable]
public sealed record CityView(
    [property: Id(0)] string Id,
    [property: Id(1)] DistrictKpis Kpis,
    [property: Id(2)] IReadOnlyList<DistrictSnapshot> Districts,
    [property: Id(3)] long Version);
