using System.Text.Json;
using IocTwin.Model;
using IocTwin.Simulation;
using IocTwin.Topology;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

/// <summary>Scenarios with dynamic network loading: queues that form at a bottleneck, spill back, block and clear.</summary>
public sealed class DynamicLoadingTests
{
    /// <summary>900 veh/h for the end of the bottleneck (e) and 900 veh/h for the side road's, from o over the first 30 minutes.</summary>
    private static ScenarioInputs ForkTraffic(bool toBottleneck = true, bool toSide = true, double tripsEach = 450) => new()
    {
        Model = TrafficModel.Dynamic,
        BaselineDemandScale = 0,
        Interventions =
        [
            .. toBottleneck ? new[] { new AddDemand(DemandEnd.Nodes("o"), DemandEnd.Nodes("e"), tripsEach, 0, 30) } : [],
            .. toSide ? new[] { new AddDemand(DemandEnd.Nodes("o"), DemandEnd.Nodes("d"), tripsEach, 0, 30) } : [],
        ],
    };

    [Fact]
    public void A_queue_at_a_bottleneck_spills_back_past_the_fork_delays_traffic_that_never_uses_it_and_then_clears()
    {
        var network = Fork(bottleneckVph: 600);

        var both = Simulator.Run(network, ForkTraffic(), 100, 60);
        var bottleneckOnly = Simulator.Run(network, ForkTraffic(toSide: false), 100, 60);
        var sideOnly = Simulator.Run(network, ForkTraffic(toBottleneck: false), 100, 60);

        // The queue fills the branch to the bottleneck and reaches back over the fork onto the feeder and the approach.
        var queues = both.Queues!;
        var branch = queues.Worst.Single(q => q.SegmentId == "branch");
        var feeder = queues.Worst.Single(q => q.SegmentId == "feeder");
        Assert.True(branch.MaxLengthM > 0.8 * 300, $"branch queue {branch.MaxLengthM} m");
        Assert.True(feeder.MaxLengthM > 100, $"feeder queue {feeder.MaxLengthM} m");
        int FirstQueued(string segmentId) => queues.Extents.Single(e => e.SegmentId == segmentId).ExtentM.ToList().FindIndex(x => x > 0);
        Assert.True(FirstQueued("branch") < FirstQueued("feeder") && FirstQueued("feeder") < FirstQueued("approach"));
        Assert.DoesNotContain(queues.Worst, q => q.SegmentId == "side");
        Assert.True(queues.SpillbackDelayVehHours > 0);
        Assert.True(queues.VehiclesDelayedBySpillback > 0);

        // Traffic for d shares the queue: together the two flows lose more time than each loses alone.
        Assert.True(sideOnly.Network.TotalDelayVehHours < 0.01, $"side alone: {sideOnly.Network.TotalDelayVehHours}");
        Assert.True(both.Network.TotalDelayVehHours > 1.5 * (bottleneckOnly.Network.TotalDelayVehHours + sideOnly.Network.TotalDelayVehHours),
            $"both {both.Network.TotalDelayVehHours}, bottleneck only {bottleneckOnly.Network.TotalDelayVehHours}");

        // Demand ends at minute 30; the queue dissipates and every trip arrives.
        Assert.True(queues.QueuedVehicles!.Max() > 100);
        Assert.Equal(0, queues.QueuedVehicles![^1]);
        Assert.All(queues.Extents, series => Assert.Equal(0, series.ExtentM[^1]));
        Assert.Equal(900, both.Trips.Generated, 6);
        Assert.Equal(0, both.Trips.InitialEnRoute);
        Assert.Equal(900, both.Trips.Completed, 3);
        Assert.Equal(0, both.Trips.Unreachable);
    }

    [Fact]
    public void While_the_queue_stands_the_fork_lets_both_ways_out_go_in_the_order_they_came_so_the_free_road_carries_no_more()
    {
        // Stopped at minute 25, with the queue over the fork: first in, first out on the feeder, so traffic for the
        // side road waits behind traffic for the bottleneck, and each gets its turn share of the bottleneck's flow.
        var result = Simulator.Run(Fork(bottleneckVph: 600), ForkTraffic(), 25, 60);

        var bottleneck = result.Segment("bottleneck");
        var side = result.Segment("side");
        Assert.Equal(600, bottleneck.FlowVph, 600 * 0.02);
        Assert.Equal(bottleneck.FlowVph, side.FlowVph, 600 * 0.02);
        Assert.True(result.Trips.WaitingToEnter + result.Queues!.QueuedVehicles![^1] > 100);
    }

    [Fact]
    public void Every_vehicle_is_arrived_on_the_road_waiting_to_enter_stranded_or_unreachable_at_every_step()
    {
        var result = Simulator.Run(DaNang, BusyDaNangDay with { Model = TrafficModel.Dynamic }, 90, 60);

        Assert.All(result.Steps, step =>
        {
            var trips = step.Trips;
            var scale = trips.InitialEnRoute + trips.Generated;
            Assert.True(Math.Abs(trips.Imbalance) <= 1e-9 * scale, $"minute {step.Minute}: {trips}");
            Assert.True(trips.Completed >= 0 && trips.EnRoute >= 0 && trips.Unreachable >= 0 && trips.Stranded >= 0 && trips.WaitingToEnter >= 0);
            Assert.True(trips.Stranded + trips.WaitingToEnter <= trips.EnRoute + 1e-6, $"minute {step.Minute}: {trips}");
        });
        Assert.True(result.Trips.Completed > 0);
        Assert.True(result.Steps.Max(s => s.FloodedSegments) > 0);
        Assert.NotEmpty(result.Queues!.Worst);
        Assert.Equal(TrafficModel.Dynamic, result.Model);
    }

    [Fact]
    public void A_free_flowing_network_runs_at_free_flow_speed_with_no_queue_and_no_delay()
    {
        var network = TwoBanks();
        var light = new ScenarioInputs { Model = TrafficModel.Dynamic, BaselineDemandScale = 0.1 };

        var result = Simulator.Run(network, light, 60, 60);

        // Every link's travel time is its length at its free-flow speed (40 km/h streets, 50 km/h bridges).
        Assert.All(result.Segments, s => Assert.Equal(s.SegmentId.StartsWith("bridge", StringComparison.Ordinal) ? 50 : 40, s.SpeedKmh, 0.2));
        Assert.True(result.Segments.Sum(s => s.MeanFlowVph) > 0);
        Assert.True(result.Network.TotalDelayVehHours < 0.005 * result.Network.VehicleHours,
            $"delay {result.Network.TotalDelayVehHours} of {result.Network.VehicleHours} vehicle-hours");
        Assert.Empty(result.Queues!.Worst);
        Assert.Equal(0, result.Queues.SpillbackDelayVehHours);
    }

    [Fact]
    public void Light_traffic_matches_the_static_model_link_by_link()
    {
        var network = TwoBanks();
        var light = new ScenarioInputs { BaselineDemandScale = 0.1, StartTimeOfDay = TimeSpan.FromHours(11) };

        var quasiStatic = Simulator.Run(network, light, 60, 60);
        var dynamic = Simulator.Run(network, light with { Model = TrafficModel.Dynamic }, 60, 60);

        // The same routes, loaded over time: link flows over the hour agree once the roads have filled.
        foreach (var segment in quasiStatic.Segments)
        {
            var loaded = dynamic.Segment(segment.SegmentId);
            Assert.Equal(segment.MeanFlowVph, loaded.MeanFlowVph, Math.Max(1, 0.05 * segment.MeanFlowVph));
        }
    }

    [Fact]
    public void Closing_a_bridge_at_the_morning_peak_costs_more_than_the_same_closure_at_night()
    {
        var network = DaNang;
        var rong = Assert.Single(network.FindSegmentIdsByName("Cầu Rồng"));

        double ExtraDelay(TimeSpan start)
        {
            var day = new ScenarioInputs { Model = TrafficModel.Dynamic, StartTimeOfDay = start };
            var baseline = Simulator.Run(network, day, 60, 60);
            var closed = Simulator.Run(network, day with { Interventions = [new CloseSegment(rong)] }, 60, 60);
            return closed.Network.TotalDelayVehHours - baseline.Network.TotalDelayVehHours;
        }

        var peak = ExtraDelay(TimeSpan.FromHours(7));
        var night = ExtraDelay(TimeSpan.FromHours(2));
        Assert.True(peak > 0, $"peak {peak}");
        Assert.True(peak > 3 * Math.Max(night, 0), $"peak {peak} vs night {night}");
    }

    [Fact]
    public void The_same_dynamic_scenario_gives_the_same_result_on_a_fresh_network_and_any_number_of_cores()
    {
        var inputs = ForkTraffic();
        var first = Simulator.Run(Fork(600), inputs, 60, 60);
        var again = Simulator.Run(Fork(600), inputs, 60, 60, options: new SimulationOptions { MaxDegreeOfParallelism = 1 });
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(again));

        var city = new ScenarioInputs { Model = TrafficModel.Dynamic, Interventions = [new CloseSegment("seg-cau-song-han", 0, 30)] };
        var daNang = Simulator.Run(DaNang, city, 30, 60);
        var fresh = Simulator.Run(RoadNetwork.FromCity(GeoJsonCityReader.LoadSample()), city, 30, 60,
            options: new SimulationOptions { MaxDegreeOfParallelism = 1 });
        Assert.Equal(JsonSerializer.Serialize(daNang), JsonSerializer.Serialize(fresh));
    }
}
