using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Where one asset stands with one geofence rule, kept between its reports.</summary>
[GenerateSerializer]
public sealed class GeofenceMark
{
    /// <summary>Whether the asset has been seen since the rule applied to it: a first report outside is no leaving.</summary>
    [Id(0)] public bool Seen { get; set; }
    [Id(1)] public bool Inside { get; set; }
    /// <summary>When the asset entered the zone, while it is inside.</summary>
    [Id(2)] public DateTimeOffset? EnteredAt { get; set; }
    /// <summary>Whether an alert was raised in this stay (inside or outside): once per entry.</summary>
    [Id(3)] public bool Fired { get; set; }
    /// <summary>The area holding the open alert, to resolve it there; null when none is open.</summary>
    [Id(4)] public string? AlertAreaId { get; set; }
}

public enum GeofenceAction
{
    None,
    Raise,
    Resolve,
}

/// <summary>
/// Geofence rules applied to one asset's reports: enter, dwell and speed alerts are raised once per stay inside the
/// zone and resolved when the asset leaves it; a leave alert is raised when it leaves and resolved when it comes back.
/// </summary>
public static class GeofenceEvaluator
{
    public static bool Applies(GeofenceRule rule, AssetKind kind) => rule.Kinds is not { Count: > 0 } kinds || kinds.Contains(kind);

    /// <summary>Whether the position lies in the rule's zone: its area (or one below it), or its polygon.</summary>
    public static bool InZone(GeofenceRule rule, GeoPoint location, IReadOnlyList<string> areaPath) => rule.AreaId is { } areaId
        ? areaPath.Contains(areaId)
        : rule.Polygon is { Count: >= 3 } polygon && AreaGeometry.RingHolds(polygon, location);

    /// <summary>Moves the mark on with a report; what to do with the rule's alert.</summary>
    public static GeofenceAction Step(GeofenceRule rule, GeofenceMark mark, bool inside, double? speedKmh, DateTimeOffset at)
    {
        var crossed = mark.Seen && inside != mark.Inside;
        var firstSeen = !mark.Seen;
        mark.Seen = true;
        if (crossed || firstSeen)
        {
            mark.Inside = inside;
            mark.EnteredAt = inside ? at : null;
            mark.Fired = false;
        }
        if (crossed && mark.AlertAreaId is not null)
        {
            // Leaving ends an enter, dwell or speed alert; coming back ends a leave alert.
            return GeofenceAction.Resolve;
        }
        if (mark.Fired)
        {
            return GeofenceAction.None;
        }
        var breach = rule.Trigger switch
        {
            GeofenceTrigger.Enter => inside,
            GeofenceTrigger.Leave => !inside && crossed,
            GeofenceTrigger.Dwell => inside && mark.EnteredAt is { } entered && (at - entered).TotalSeconds >= rule.DwellSeconds,
            GeofenceTrigger.Speed => inside && speedKmh > rule.SpeedKmh,
            _ => false,
        };
        if (!breach)
        {
            return GeofenceAction.None;
        }
        mark.Fired = true;
        return GeofenceAction.Raise;
    }

    /// <summary>The value an alert shows: the speed for a speed rule, the seconds inside for dwell, else 1.</summary>
    public static double AlertValue(GeofenceRule rule, GeofenceMark mark, double? speedKmh, DateTimeOffset at) => rule.Trigger switch
    {
        GeofenceTrigger.Speed => speedKmh ?? 0,
        GeofenceTrigger.Dwell => mark.EnteredAt is { } entered ? (at - entered).TotalSeconds : 0,
        _ => 1,
    };
}
