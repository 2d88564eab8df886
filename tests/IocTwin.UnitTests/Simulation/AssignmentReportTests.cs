using IocTwin.Model;
using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

/// <summary>Every run says how its traffic was assigned: when, why, the iterations used and the relative gap reached.</summary>
public sealed class AssignmentReportTests
{
    private static readonly ScenarioInputs BridgeClosedAtMinute20 =
        new() { Interventions = [new CloseSegment("seg-cau-song-han", 20, 60)] };

    [Fact]
    public void A_run_lists_its_start_its_periodic_reroutes_and_the_assignment_after_a_closure()
    {
        var result = Simulator.Run(DaNang, BridgeClosedAtMinute20, 60, 60);
        var a = result.Assignments;

        Assert.Equal((0, AssignmentTrigger.Start), (a[0].Step, a[0].Trigger));
        Assert.Contains(a, r => r.Minute == 20 && r.Trigger == AssignmentTrigger.NetworkChange);
        Assert.Contains(a, r => r.Minute == 5 && r.Trigger == AssignmentTrigger.Reroute);
        Assert.Equal(result.Steps.Count(s => s.Rerouted), a.Count);
        Assert.Equal(result.Steps.Where(s => s.Rerouted).Select(s => s.Step), a.Select(r => r.Step));
        Assert.All(a, r => Assert.InRange(r.Iterations, 1, r.Trigger == AssignmentTrigger.Reroute ? 1 : 10));
        Assert.All(a.Where(r => r.Converged), r => Assert.True(r.RelativeGap < SimulationOptions.Default.ConvergenceGap));
    }

    [Fact]
    public void An_assignment_stops_at_the_requested_gap_or_reports_the_gap_it_reached_at_its_iteration_limit()
    {
        var loose = Simulator.Run(DaNang, BridgeClosedAtMinute20, 30, 60, options: new SimulationOptions { ConvergenceGap = 0.2, ColdStartIterations = 50 });
        var tight = Simulator.Run(DaNang, BridgeClosedAtMinute20, 30, 60, options: new SimulationOptions { ConvergenceGap = 1e-12, ColdStartIterations = 6 });

        var looseStart = loose.Assignments[0];
        Assert.True(looseStart.Converged);
        Assert.InRange(looseStart.Iterations, 2, 49);
        Assert.True(looseStart.RelativeGap < 0.2);

        var tightStart = tight.Assignments[0];
        Assert.False(tightStart.Converged);
        Assert.Equal(6, tightStart.Iterations);
        Assert.NotNull(tightStart.RelativeGap);
        Assert.True(tightStart.RelativeGap > 1e-12);
    }

    [Fact]
    public void The_scenario_report_carries_the_assignments_of_both_runs()
    {
        var baseline = Simulator.Run(DaNang, BridgeClosedAtMinute20.WithoutInterventions(), 30, 60);
        var scenario = Simulator.Run(DaNang, BridgeClosedAtMinute20, 30, 60);

        var report = ScenarioReportBuilder.From("s", baseline, scenario, 0);

        Assert.Equal(baseline.Assignments, report.BaselineAssignments);
        Assert.Equal(scenario.Assignments, report.ScenarioAssignments);
        Assert.DoesNotContain(report.BaselineAssignments, r => r.Trigger == AssignmentTrigger.NetworkChange);
        Assert.Contains(report.ScenarioAssignments, r => r.Trigger == AssignmentTrigger.NetworkChange);
    }
}
