using System.Text.Json.Serialization;

namespace IocTwin.Model;

// One record per entity kind goes to screens and REST callers alike: the REST view, the hub snapshot and the hub delta.
// A delta carries the same record with only what changes live; what it leaves out (null, and absent in JSON) is
// unchanged since the snapshot. Records that travel only between grains (the *Snapshot records, stored by the parents
// that keep them) stay as they are.

/// <summary>A KPI value with the time of the newest data behind it; null value when nothing is known yet.</summary>
[GenerateSerializer, Immutable]
public sealed record Kpi([property: Id(0)] double? Value, [property: Id(1)] DateTimeOffset? AsOf)
{
    public static readonly Kpi Unknown = new(null, null);
}

/// <summary>
/// A sensor. <see cref="Values"/> and <see cref="Health"/> are what screens show; <see cref="ReadingCount"/> orders
/// updates. A delta leaves out the name, location, last reading (with its own timestamp) and version.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SensorView(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] SensorKind Kind,
    [property: Id(3)] Sector Sector,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GeoPoint? Location,
    [property: Id(5)] string DistrictId,
    [property: Id(6)] string? SegmentId,
    [property: Id(7), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Reading? LastReading,
    [property: Id(8)] SensorHealth Health,
    [property: Id(9)] long ReadingCount,
    [property: Id(10), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Version,
    [property: Id(11)] DateTimeOffset? LastSeen,
    [property: Id(12)] IReadOnlyDictionary<string, double> Values);

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

/// <summary>A road segment. A delta leaves out its spec (geometry, capacity) and its sensor ids.</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentView(
    [property: Id(5)] string Id,
    [property: Id(6)] string DistrictId,
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SegmentSpec? Spec,
    [property: Id(1)] SegmentStatus Status,
    [property: Id(2)] SegmentTraffic Traffic,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? SensorIds,
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
    [property: Id(8)] Kpi MonitoredKm,
    [property: Id(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, RuleKpi>? Rules = null)
{
    /// <summary>Citizen reports of the area still open (received, assigned or in progress); null in KPIs stored before reports were counted.</summary>
    [Id(10), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Kpi? OpenReports { get; init; }

    /// <summary>Open citizen reports past their category's SLA; null as <see cref="OpenReports"/> is.</summary>
    [Id(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Kpi? OverdueReports { get; init; }

    /// <summary>
    /// Moving assets that entered the area since it was created: from outside it, not from one of its own children.
    /// Counted by the area itself, not summed from its children; null for the city and in KPIs stored before.
    /// </summary>
    [Id(12), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Kpi? AssetsEntered { get; init; }

    /// <summary>Moving assets that left the area for somewhere outside it since it was created; as <see cref="AssetsEntered"/>.</summary>
    [Id(13), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Kpi? AssetsLeft { get; init; }

    public static readonly DistrictKpis Empty = new(Kpi.Unknown, Kpi.Unknown, Kpi.Unknown, Kpi.Unknown,
        Kpi.Unknown, Kpi.Unknown, Kpi.Unknown, Kpi.Unknown, Kpi.Unknown);

    // By content, rules included: a record compares its dictionary by reference, and the hub sends an area's KPIs again
    // only when they differ from the ones it sent.
    public bool Equals(DistrictKpis? other) =>
        other is not null && MeanSpeedKmh == other.MeanSpeedKmh && CongestedKm == other.CongestedKm && WorstAqi == other.WorstAqi
        && MaxWaterLevelM == other.MaxWaterLevelM && SensorsOnline == other.SensorsOnline && SensorsStale == other.SensorsStale
        && SensorsOffline == other.SensorsOffline && OpenAlerts == other.OpenAlerts && MonitoredKm == other.MonitoredKm
        && OpenReports == other.OpenReports && OverdueReports == other.OverdueReports && AssetsEntered == other.AssetsEntered
        && AssetsLeft == other.AssetsLeft && SameRules(Rules, other.Rules);

    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(MeanSpeedKmh, CongestedKm, WorstAqi, MaxWaterLevelM, SensorsOnline, SensorsStale, SensorsOffline, OpenAlerts),
        HashCode.Combine(MonitoredKm, OpenReports, OverdueReports, AssetsEntered, AssetsLeft, Rules?.Count ?? -1));

    private static bool SameRules(IReadOnlyDictionary<string, RuleKpi>? a, IReadOnlyDictionary<string, RuleKpi>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Count == b.Count
            && a.All(rule => b.TryGetValue(rule.Key, out var same) && rule.Value == same));
}

/// <summary>
/// An administrative area of any level (a district, ward, commune ...: <see cref="Kind"/>) and its KPIs, rolled up from
/// its segments and sensors, or from its child areas. The one shape of an area on every interface (the API calls it an
/// area; the district routes return it too). <see cref="Sectors"/> holds the same KPIs counted over one sector's sensors
/// (and, for traffic, the roads); it stays inside the cluster: a sector's screens receive their sector's as
/// <see cref="Kpis"/>. A delta leaves out the boundary, member counts, kind, parent and children; the city's list of
/// areas leaves out the boundary and counts. <see cref="ParentId"/> is absent for an area directly under the city.
/// <see cref="SegmentCount"/> and <see cref="SensorCount"/> count the whole subtree.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DistrictView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<GeoPoint>? Boundary,
    [property: Id(4)] DistrictKpis Kpis,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SegmentCount,
    [property: Id(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SensorCount,
    [property: Id(7)] long Version,
    [property: Id(8), JsonIgnore] IReadOnlyDictionary<Sector, DistrictKpis>? Sectors = null,
    [property: Id(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kind = null,
    [property: Id(10), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ParentId = null,
    [property: Id(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ChildIds = null,
    [property: Id(12), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Schematic = false,
    [property: Id(13), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<IReadOnlyList<GeoPoint>>? MoreParts = null);

/// <summary>Ids of what belongs to a district, directly or through its segments, each list in ordinal order.</summary>
[GenerateSerializer, Immutable]
public sealed record DistrictMembers(
    [property: Id(0)] IReadOnlyList<string> SegmentIds,
    [property: Id(1)] IReadOnlyList<string> SensorIds);

/// <summary>
/// Which membership of an area a reader holds: the activation that answered it and how many times its members had
/// changed there. A new activation is a new <see cref="Activation"/>, so a version never names two memberships.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MembersVersion(
    [property: Id(0)] Guid Activation,
    [property: Id(1)] long Changes);

/// <summary>An area's members as of <see cref="Version"/>; <see cref="Members"/> null when the reader holds that version already.</summary>
[GenerateSerializer, Immutable]
public sealed record MembersRead(
    [property: Id(0)] MembersVersion Version,
    [property: Id(1)] DistrictMembers? Members);

/// <summary>
/// What an area reports up to its parent area, or to the city when it is directly under it; the parent stores it.
/// <see cref="Sectors"/> and the counts cover the area's whole subtree; null in snapshots stored before areas nested.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DistrictSnapshot(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] DistrictKpis Kpis,
    [property: Id(4)] long Version,
    [property: Id(5)] string? Kind = null,
    [property: Id(6)] string? ParentId = null,
    [property: Id(7)] IReadOnlyDictionary<Sector, DistrictKpis>? Sectors = null,
    [property: Id(8)] int SegmentCount = 0,
    [property: Id(9)] int SensorCount = 0);

/// <summary>
/// The city: its KPIs (rolled up from the areas directly under it) and each of those areas'. A delta leaves out the
/// areas (they come as districts of the frame).
/// To a sector's screens the KPIs are the city's counted over that sector.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CityView(
    [property: Id(0)] string Id,
    [property: Id(1)] DistrictKpis Kpis,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DistrictView>? Districts,
    [property: Id(3)] long Version);
