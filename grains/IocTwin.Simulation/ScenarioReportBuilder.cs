using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>Puts a scenario run beside its baseline run as the <see cref="ScenarioReport"/> operators read.</summary>
public static class ScenarioReportBuilder
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
            baseline.Trips, scenario.Trips, wallClockSeconds, baseline.Assignments, scenario.Assignments, scenario.Queues);
    }
}
