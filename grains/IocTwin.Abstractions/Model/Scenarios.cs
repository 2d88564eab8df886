namespace IocTwin.Model;

public enum ScenarioStatus
{
    /// <summary>Forked; interventions may be added.</summary>
    Draft,
    Running,
    Completed,
    Failed,
}

/// <summary>
/// A scenario forked from the twin at <see cref="BaselineTime"/>. Copy-on-write: the fork keeps only what differed
/// from the registered topology then (segments not open), and reads the rest from the twin when it runs.
/// <see cref="ConvergenceGap"/>: the relative gap every traffic assignment of its runs iterates to; null (scenarios
/// stored before it could be chosen) runs to <see cref="DefaultConvergenceGap"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset BaselineTime,
    [property: Id(2)] bool FromLive,
    [property: Id(3)] int HorizonMinutes,
    [property: Id(4)] int StepSeconds,
    [property: Id(5)] Dictionary<string, SegmentStatus> ForkedStatuses,
    [property: Id(6)] double? ConvergenceGap = null,
    [property: Id(7)] TrafficModel Model = TrafficModel.Static)
{
    public const double DefaultConvergenceGap = 1e-4;

    public double Gap => ConvergenceGap ?? DefaultConvergenceGap;
}

/// <summary>A scenario and its interventions; not sealed so that the API can answer it together with its report.</summary>
[GenerateSerializer, Immutable]
public record ScenarioSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ScenarioStatus Status,
    [property: Id(3)] double Progress,
    [property: Id(4)] DateTimeOffset BaselineTime,
    [property: Id(5)] bool FromLive,
    [property: Id(6)] int HorizonMinutes,
    [property: Id(7)] int StepSeconds,
    [property: Id(8)] IReadOnlyList<InterventionSpec> Interventions,
    [property: Id(9)] string? Error,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] ScenarioCreator? CreatedBy = null,
    [property: Id(12)] double ConvergenceGap = ScenarioDefinition.DefaultConvergenceGap,
    [property: Id(13)] TrafficModel Model = TrafficModel.Static);

/// <summary>
/// Who created a scenario: the token's subject (or name when it has no subject), its name and role, and the districts and
/// sectors it covered. <see cref="SeesCity"/>: whether the creator saw the whole city (the IOC), so that the city-wide
/// figures of the scenario's progress may be streamed. Null on scenarios stored before scenarios had owners; only the
/// IOC could create those.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioCreator(
    [property: Id(0)] string Subject,
    [property: Id(1)] string Name,
    [property: Id(2)] string Role,
    [property: Id(3)] string[] Districts,
    [property: Id(4)] string[] Sectors,
    [property: Id(5)] bool SeesCity)
{
    /// <summary>One creator for the caps: the same subject in the same role.</summary>
    public string Key => $"{Role}|{Subject}";
}

/// <summary>A scenario id and its creator, as the scenario index keeps them.</summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioEntry([property: Id(0)] string Id, [property: Id(1)] ScenarioCreator? Creator);

public enum ScenarioAdmission
{
    Admitted,
    /// <summary>The creator has as many scenarios (or runs) as it may.</summary>
    CreatorFull,
    /// <summary>The twin has as many scenarios (or runs) as it may.</summary>
    TwinFull,
}

/// <summary>Progress of a running scenario, streamed to the hub scope "scenario:{id}".</summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioProgress(
    [property: Id(0)] string ScenarioId,
    [property: Id(1)] ScenarioStatus Status,
    [property: Id(2)] double Progress,
    [property: Id(3)] double? Minute,
    [property: Id(4)] double? MeanSpeedKmh,
    [property: Id(5)] double? CumulativeDelayVehHours,
    [property: Id(6)] double? CongestedKm,
    [property: Id(7)] string? Error);
