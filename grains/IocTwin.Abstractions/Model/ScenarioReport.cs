using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// Everything an operator compares: KPIs over time and at the end, per district, per district pair, per segment; and
/// each run's traffic assignments with the iterations used and the gap reached. The city-wide figures (the nullable
/// ones) are left out of a report trimmed to an OC's scope.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioReport(
    [property: Id(0)] string ScenarioId,
    [property: Id(1)] double HorizonMinutes,
    [property: Id(2)] double StepSeconds,
    [property: Id(3)] TimeSpan StartTimeOfDay,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RunKpis? Baseline,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RunKpis? Scenario,
    [property: Id(6)] ScenarioDelta Delta,
    [property: Id(7), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ScenarioStepPair>? Steps,
    [property: Id(8)] IReadOnlyList<string> ClosedSegmentIds,
    [property: Id(9)] IReadOnlyList<string> FloodedSegmentIds,
    [property: Id(10)] IReadOnlyList<SegmentOutcome> Segments,
    [property: Id(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TripBalance? BaselineTrips,
    [property: Id(12), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TripBalance? ScenarioTrips,
    [property: Id(13)] double WallClockSeconds,
    [property: Id(14)] IReadOnlyList<AssignmentRecord> BaselineAssignments,
    [property: Id(15)] IReadOnlyList<AssignmentRecord> ScenarioAssignments,
    [property: Id(16), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QueueReport? Queues = null);

/// <summary>One point of the KPI time series, for the scenario and its baseline.</summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioStepPair(
    [property: Id(0)] double Minute,
    [property: Id(1)] TimeSpan TimeOfDay,
    [property: Id(2)] StepKpiSummary Baseline,
    [property: Id(3)] StepKpiSummary Scenario);

[GenerateSerializer, Immutable]
public sealed record StepKpiSummary(
    [property: Id(0)] double MeanSpeedKmh,
    [property: Id(1)] double DelayVehHours,
    [property: Id(2)] double CumulativeDelayVehHours,
    [property: Id(3)] double CongestedKm,
    [property: Id(4)] int ClosedSegments,
    [property: Id(5)] int FloodedSegments,
    [property: Id(6)] double MaxWaterDepthM);

/// <summary>
/// How a segment ends the run in the scenario and in the baseline, for colouring the two maps side by side; its district
/// tells who may see it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SegmentOutcome(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] SegmentStatus BaselineStatus,
    [property: Id(2)] LevelOfService? BaselineLos,
    [property: Id(3)] SegmentStatus ScenarioStatus,
    [property: Id(4)] LevelOfService? ScenarioLos,
    [property: Id(5)] string DistrictId);

/// <summary>
/// Network KPIs over a run; means are over the steps, weighted by step length. Delay is on the roads; the time that
/// stranded trips spend waiting for a road to open is <see cref="StrandedVehHours"/>, and trips that never found a
/// route are counted in the run's trip balance.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunKpis(
    [property: Id(0)] double MeanSpeedKmh,
    [property: Id(1)] double TotalDelayVehHours,
    [property: Id(2)] double StrandedVehHours,
    [property: Id(3)] double VehicleKm,
    [property: Id(4)] double VehicleHours,
    [property: Id(5)] double MeanCongestedKm,
    [property: Id(6)] double MaxCongestedKm,
    [property: Id(7)] double FinalMeanSpeedKmh,
    [property: Id(8)] double FinalCongestedKm);

/// <summary>
/// Every vehicle accounted for: <c>InitialEnRoute + Generated = Completed + EnRoute + Unreachable</c>.
/// <see cref="Stranded"/> is the part of <see cref="EnRoute"/> whose route has been cut and which waits for a road to open;
/// with dynamic loading, <see cref="WaitingToEnter"/> is the part that has departed but waits at its origin for room on
/// the first road (always 0 in the static model).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TripBalance(
    [property: Id(0)] double InitialEnRoute,
    [property: Id(1)] double Generated,
    [property: Id(2)] double Completed,
    [property: Id(3)] double EnRoute,
    [property: Id(4)] double Stranded,
    [property: Id(5)] double Unreachable,
    [property: Id(6)] double WaitingToEnter = 0)
{
    /// <summary>What the books fail to account for; zero up to rounding.</summary>
    public double Imbalance => InitialEnRoute + Generated - Completed - EnRoute - Unreachable;
}

/// <summary>Why the routes were (re)computed at a step.</summary>
public enum AssignmentTrigger
{
    /// <summary>The start of the run: routes from scratch.</summary>
    Start,

    /// <summary>A closure, a reopening or added demand starting: the cold-start iteration limit.</summary>
    NetworkChange,

    /// <summary>The periodic re-routing, or a change of capacity, speed or demand: the re-route iteration limit.</summary>
    Reroute,
}

/// <summary>
/// One traffic assignment: Frank–Wolfe iterations (all-or-nothing sweeps) until the relative gap (TSTT − SPTT) / TSTT
/// falls below the convergence gap (<see cref="Converged"/>) or the iteration limit is reached. <see cref="RelativeGap"/>
/// is the gap last measured: of the final flows when converged, otherwise of the flows before the last step; null when
/// the assignment only loaded new routes and measured none.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AssignmentRecord(
    [property: Id(0)] int Step,
    [property: Id(1)] double Minute,
    [property: Id(2)] AssignmentTrigger Trigger,
    [property: Id(3)] int Iterations,
    [property: Id(4)] double? RelativeGap,
    [property: Id(5)] bool Converged);
