namespace IocTwin.Model;

public enum AlertState
{
    Raised,
    Acknowledged,
    Resolved,
}

/// <summary>
/// When to raise an alert: a sensor value (by sensor kind and/or sector) or a segment's level of service crossing
/// <see cref="Threshold"/> for at least <see cref="ForSeconds"/>; it clears only past <see cref="ClearThreshold"/>,
/// so a value hovering at the threshold does not flap. Metric "offline" is minutes without hearing from a sensor;
/// metric "los" compares levels A=1 … F=6.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AlertRule(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] SensorKind? Kind,
    [property: Id(3)] Sector? Sector,
    [property: Id(4)] string Metric,
    [property: Id(5)] double Threshold,
    [property: Id(6)] double ClearThreshold,
    [property: Id(7)] double ForSeconds,
    [property: Id(8)] string Severity);

[GenerateSerializer, Immutable]
public sealed record AlertView(
    [property: Id(0)] string Id,
    [property: Id(1)] string RuleId,
    [property: Id(2)] string RuleName,
    [property: Id(3)] string Severity,
    [property: Id(4)] string EntityId,
    [property: Id(5)] string DistrictId,
    [property: Id(6)] Sector Sector,
    [property: Id(7)] AlertState State,
    [property: Id(8)] double Value,
    [property: Id(9)] DateTimeOffset RaisedAt,
    [property: Id(10)] string? AcknowledgedBy,
    [property: Id(11)] DateTimeOffset? AcknowledgedAt,
    [property: Id(12)] string? ResolvedBy,
    [property: Id(13)] DateTimeOffset? ResolvedAt);
