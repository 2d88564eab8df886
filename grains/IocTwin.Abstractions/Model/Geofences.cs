namespace IocTwin.Model;

/// <summary>What a geofence watches for.</summary>
public enum GeofenceTrigger
{
    /// <summary>An asset inside the zone: raised once per entry, resolved when it leaves.</summary>
    Enter,

    /// <summary>An asset outside the zone: raised once when it leaves, resolved when it comes back.</summary>
    Leave,

    /// <summary>An asset inside the zone for longer than <see cref="GeofenceRule.DwellSeconds"/>; resolved when it leaves.</summary>
    Dwell,

    /// <summary>An asset inside the zone faster than <see cref="GeofenceRule.SpeedKmh"/>; once per entry, resolved when it leaves.</summary>
    Speed,
}

/// <summary>
/// A zone (a polygon, or an area of the city and everything below it) and what to raise an alert for. Kinds, when
/// given, narrow the rule to assets of those kinds. <see cref="HomeAreaId"/> holds an alert of an asset outside every
/// area (an area rule's own area, or the area holding the polygon's first corner).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GeofenceRule(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] GeofenceTrigger Trigger,
    [property: Id(3)] string? AreaId,
    [property: Id(4)] IReadOnlyList<GeoPoint>? Polygon,
    [property: Id(5)] IReadOnlyList<AssetKind>? Kinds,
    [property: Id(6)] double DwellSeconds,
    [property: Id(7)] double SpeedKmh,
    [property: Id(8)] string Severity,
    [property: Id(9)] string? HomeAreaId);

/// <summary>An alert raised by something other than an area's own rules (a geofence), to be kept in that area's alert lifecycle.</summary>
[GenerateSerializer, Immutable]
public sealed record RaisedAlert(
    [property: Id(0)] string Key,
    [property: Id(1)] string RuleId,
    [property: Id(2)] string RuleName,
    [property: Id(3)] string Severity,
    [property: Id(4)] string EntityId,
    [property: Id(5)] Sector Sector,
    [property: Id(6)] double Value);
