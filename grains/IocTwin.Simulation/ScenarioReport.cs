using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>One point of the KPI time series, for the scenario and its baseline.</summary>
public sealed record ScenarioStepPair(double Minute, TimeSpan TimeOfDay, StepKpiSummary Baseline, StepKpiSummary Scenario);

public sealed record StepKpiSummary(double MeanSpeedKmh, double DelayVehHours, double CumulativeDelayVehHours, double CongestedKm,
    int ClosedSegments, int FloodedSegments, double MaxWaterDepthM);

/// <summary>
/// How a segment ends the run in the scenario and in the baseline, for colouring the two maps side by side; its district
/// tells who may see it.
/// </summary>
public sealed record SegmentOutcome(string SegmentId, SegmentStatus BaselineStatus, LevelOfService? BaselineLos,
    SegmentStatus ScenarioStatus, LevelOfService? ScenarioLos, string DistrictId);

/// <summary>
/// Everything an operator compares: KPIs over time and at the end, per district, per district pair, per segment; and
/// each run's traffic assignments with the iterations used and the gap reached.
/// </summary>
public sealed record ScenarioReport(
    string ScenarioId,
    double HorizonMinutes,
    double StepSeconds,
    TimeSpan StartTimeOfDay,
    RunKpis Baseline,
    RunKpis Scenario,
    ScenarioDelta Delta,
    IReadOnlyList<ScenarioStepPair> Steps,
    IReadOnlyList<string> ClosedSegmentIds,
    IReadOnlyList<string> FloodedSegmentIds,
    IReadOnlyList<SegmentOutcome> Segments,
    TripBalance BaselineTrips,
    TripBalance ScenarioTrips,
    double WallClockSeconds,
    IReadOnlyList<AssignmentRecord> BaselineAssignments,
    IReadOnlyList<AssignmentRecord> ScenarioAssignments)
{
    public static ScenarioReport From(string scenarioId, SimulationResult baseline, SimulationResult scenario, double wallClockSeconds)
    {
        static StepKpiSummary Summary(StepKpis k) => new(k.MeanSpeedKmh, k.DelayVehHours, k.CumulativeDelayVehHours, k.CongestedKm,
            k.ClosedSegments, k.FloodedSegments, k.MaxWaterDepthM);
        var baselineSegments = baseline.Segments.ToDictionary(s => s.SegmentId);
        return new ScenarioReport(
            scenarioId, scenario.HorizonMinutes, scenario.StepSeconds, scenario.StartTimeOfDay,
            baseline.Network, scenario.Network,
            ScenarioComparison.Compare(baseline, scenario, top: 20, SegmentRanking.Delay),
            [.. baseline.Steps.Zip(scenario.Steps, (b, s) => new ScenarioStepPair(s.Minute, s.TimeOfDay, Summary(b), Summary(s)))],
            scenario.ClosedSegmentIds, scenario.EverFloodedSegmentIds,
            [.. scenario.Segments.Select(s => new SegmentOutcome(s.SegmentId,
                baselineSegments[s.SegmentId].Status, baselineSegments[s.SegmentId].Los, s.Status, s.Los, s.DistrictId))],
            baseline.Trips, scenario.Trips, wallClockSeconds, baseline.Assignments, scenario.Assignments);
    }
}
