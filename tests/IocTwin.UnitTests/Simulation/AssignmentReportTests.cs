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
    }

    [Fact]
    public void Every_assignment_reaches_the_requested_gap_including_the_one_after_the_closure()
    {
        var requested = 1e-5;
        var result = Simulator.Run(DaNang, BridgeClosedAtMinute20, 60, 60, options: new SimulationOptions { ConvergenceGap = requested });

        Assert.All(result.Assignments, r =>
        {
            Assert.True(r.Converged);
            Assert.NotNull(r.RelativeGap);
            Assert.InRange(r.RelativeGap!.Value, 0, requested);
        });
        var start = result.Assignments[0];
        var closure = Assert.Single(result.Assignments, r => r.Trigger == AssignmentTrigger.NetworkChange);
        Assert.True(start.Iterations >= 1, "a cold start from shortest paths is not at equilibrium yet");
        // The closure's own assignment is measured on the network without the bridge: it reports its own gap.
        Assert.NotEqual(start.RelativeGap, closure.RelativeGap);
    }

    [Fact]
    public void Re_routes_start_from_the_last_assignment_and_need_fewer_iterations_on_average_than_the_cold_start()
    {
        var result = Simulator.Run(DaNang, ScenarioInputs.Baseline, 60, 60, options: new SimulationOptions { ConvergenceGap = 1e-6 });
        var start = result.Assignments[0];
        var reroutes = result.Assignments.Where(r => r.Trigger == AssignmentTrigger.Reroute).ToList();

        Assert.NotEmpty(reroutes);
        Assert.All(reroutes, r => Assert.True(r.Converged));
        Assert.True(reroutes.Average(r => r.Iterations) < start.Iterations,
            $"re-routes {string.Join(", ", reroutes.Select(r => r.Iterations))} against {start.Iterations} at the start");
    }

    [Fact]
    public void An_assignment_that_hits_the_iteration_limit_says_it_did_not_converge_and_gives_its_gap()
    {
        var capped = Simulator.Run(DaNang, BridgeClosedAtMinute20, 30, 60,
            options: new SimulationOptions { ConvergenceGap = 1e-12, AssignmentIterationLimit = 2 });

        var start = capped.Assignments[0];
        Assert.False(start.Converged);
        Assert.Equal(2, start.Iterations);
        Assert.True(start.RelativeGap > 1e-12);
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
