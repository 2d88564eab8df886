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
    public void With_re_routes_unbounded_every_assignment_reaches_the_requested_gap_including_the_one_after_the_closure()
    {
        var requested = 1e-5;
        var result = Simulator.Run(DaNang, BridgeClosedAtMinute20, 60, 60,
            options: new SimulationOptions { ConvergenceGap = requested, RerouteIterations = null });

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
    public void Re_routes_start_from_the_last_assignment_and_converge_in_a_few_iterations()
    {
        var result = Simulator.Run(DaNang, ScenarioInputs.Baseline, 60, 60,
            options: new SimulationOptions { ConvergenceGap = 1e-6, RerouteIterations = null });
        var reroutes = result.Assignments.Where(r => r.Trigger == AssignmentTrigger.Reroute).ToList();

        Assert.NotEmpty(reroutes);
        Assert.All(reroutes, r => Assert.True(r.Converged));
        // From shortest paths 1e-6 takes dozens of iterations; from the bushes before, a few.
        Assert.True(reroutes.Average(r => r.Iterations) <= 5, $"re-routes {string.Join(", ", reroutes.Select(r => r.Iterations))}");
    }

    [Fact]
    public void By_default_a_re_route_for_demand_drift_runs_one_iteration_and_states_the_gap_it_left_while_the_start_and_the_closure_reach_the_requested_gap()
    {
        var requested = 1e-6;
        var result = Simulator.Run(DaNang, BridgeClosedAtMinute20, 60, 60, options: new SimulationOptions { ConvergenceGap = requested });

        var drift = result.Assignments.Where(r => r.Trigger == AssignmentTrigger.Reroute).ToList();
        Assert.NotEmpty(drift);
        Assert.All(drift, r =>
        {
            Assert.Equal(1, r.Iterations);
            Assert.NotNull(r.RelativeGap);
            Assert.Equal(r.RelativeGap <= requested, r.Converged);
        });
        Assert.Contains(drift, r => !r.Converged); // one iteration rarely reaches 1e-6: the report says so
        Assert.All(result.Assignments.Where(r => r.Trigger != AssignmentTrigger.Reroute), r =>
        {
            Assert.True(r.Converged);
            Assert.InRange(r.RelativeGap!.Value, 0, requested);
        });
    }

    [Fact]
    public void A_run_at_the_demand_level_of_the_baseline_routes_starts_at_their_equilibrium_and_prepared_or_not_gives_the_same_answer()
    {
        var options = new SimulationOptions { ConvergenceGap = 1e-6 };
        var startTime = TimeSpan.FromHours(7);
        // Demand at exactly 0.8 of the peak at the first step's middle: a level the baseline routes are built at.
        var inputs = new ScenarioInputs { StartTimeOfDay = startTime, BaselineDemandScale = 0.8 / options.DemandFactorAt(startTime + TimeSpan.FromSeconds(30)) };
        var prepared = RoadNetwork.FromCity(IocTwin.Topology.GeoJsonCityReader.LoadSample());
        var fresh = RoadNetwork.FromCity(IocTwin.Topology.GeoJsonCityReader.LoadSample());

        Simulator.Prepare(prepared, inputs, 30, 60, options);
        var first = Simulator.Run(prepared, inputs, 30, 60, options: options);
        var unprepared = Simulator.Run(fresh, inputs, 30, 60, options: options);

        var start = first.Assignments[0];
        Assert.Equal(AssignmentTrigger.Start, start.Trigger);
        Assert.Equal(1, start.Iterations); // measured after one iteration from routes already at equilibrium
        Assert.True(start.Converged);
        Assert.Equal(first.Assignments, unprepared.Assignments);
        Assert.Equal(first.Steps.Select(k => k.DelayVehHours), unprepared.Steps.Select(k => k.DelayVehHours));
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
