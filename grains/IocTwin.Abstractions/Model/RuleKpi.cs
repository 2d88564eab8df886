namespace IocTwin.Model;

/// <summary>
/// A KPI a sector's rule defines (<see cref="SectorKpiRule"/>): the aggregate of one value over <see cref="Count"/>
/// sensors online or stale, as of the newest reading behind it. The count lets areas roll a mean up exactly.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RuleKpi(
    [property: Id(0)] double Value,
    [property: Id(1)] DateTimeOffset? AsOf,
    [property: Id(2)] int Count,
    [property: Id(3)] string Aggregate);
