using IocTwin.Model;
using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class BridgeClosureTests
{
    private static readonly string[] HanBridges =
        ["Cầu Thuận Phước", "Cầu Sông Hàn", "Cầu Rồng", "Cầu Nguyễn Văn Trỗi", "Cầu Trần Thị Lý", "Cầu Tiên Sơn"];

    [Fact]
    public void Closing_one_of_three_bridges_sends_its_traffic_over_the_other_two_and_slows_trips_across()
    {
        var network = TwoBanks(bridges: 3);
        var baseline = Simulator.Run(network, ScenarioInputs.Baseline, 60, 60);
        var closed = Simulator.Run(network, new ScenarioInputs { Interventions = [new CloseSegment("bridge-1")] }, 60, 60);

        var middle = closed.Segment("bridge-1");
        Assert.Equal(SegmentStatus.Closed, middle.Status);
        Assert.Equal(0, middle.FlowVph);
        Assert.Equal(0, middle.MeanFlowVph);
        Assert.Null(middle.Los);
        Assert.True(baseline.Segment("bridge-1").MeanFlowVph > 0, "the middle bridge carries traffic on a normal day");
        Assert.Contains("bridge-1", closed.ClosedSegmentIds);

        foreach (var other in new[] { "bridge-0", "bridge-2" })
        {
            Assert.True(closed.Segment(other).MeanFlowVph > baseline.Segment(other).MeanFlowVph,
                $"{other}: {closed.Segment(other).MeanFlowVph} vs {baseline.Segment(other).MeanFlowVph}");
        }
        // Every trip across still crosses once: the river's traffic moves, it does not vanish.
        double Across(SimulationResult r) => r.Segments.Where(s => s.SegmentId.StartsWith("bridge-", StringComparison.Ordinal)).Sum(s => s.FlowVph);
        Assert.Equal(Across(baseline), Across(closed), Across(baseline) * 1e-9);

        foreach (var (from, to) in new[] { (West, East), (East, West) })
        {
            var before = baseline.Od(from, to)!;
            var after = closed.Od(from, to)!;
            Assert.True(after.MeanTravelTimeMin > before.MeanTravelTimeMin, $"{from}→{to}: {after.MeanTravelTimeMin} vs {before.MeanTravelTimeMin}");
            Assert.True(after.DelayVehHours > before.DelayVehHours, $"{from}→{to}: {after.DelayVehHours} vs {before.DelayVehHours}");
            Assert.Equal(0, after.UnreachableTrips);
        }
        Assert.True(closed.Network.TotalDelayVehHours > baseline.Network.TotalDelayVehHours);
    }

    [Fact]
    public void Closing_the_only_bridge_leaves_trips_across_unreachable_or_stranded_until_it_reopens()
    {
        var network = TwoBanks(bridges: 1);
        var result = Simulator.Run(network, new ScenarioInputs { Interventions = [new CloseSegment("bridge-0", 10, 40)] }, 90, 60);

        var during = result.Steps.Single(s => s.Minute == 20);
        Assert.Equal(1, during.ClosedSegments);
        Assert.True(during.Trips.Stranded > 0, "trips on their way across when the bridge closed wait for it");
        Assert.True(during.StrandedVehHours > 0);
        Assert.True(during.Trips.Unreachable > 0, "trips across that set out while it is closed have no route");
        Assert.True(result.Od(West, East)!.UnreachableTrips > 0);
        Assert.True(result.Od(East, West)!.UnreachableTrips > 0);
        Assert.Equal(0, result.Od(West, West)!.UnreachableTrips);

        // Reopened: the stranded trips go on, nobody new is turned away, and the bridge carries traffic again.
        var lastClosed = result.Steps.Single(s => s.Minute == 39);
        var after = result.Steps.Single(s => s.Minute == 60);
        Assert.Equal(0, after.ClosedSegments);
        Assert.Equal(0, after.Trips.Stranded);
        Assert.Equal(lastClosed.Trips.Unreachable, result.Trips.Unreachable, 6);
        Assert.True(result.Segment("bridge-0").FlowVph > 0);
        Assert.True(result.Trips.Unreachable > 0);
        Assert.Equal(0, result.Trips.Imbalance, 6);
    }

    [Fact]
    public void Closing_cau_rong_slows_trips_between_hai_chau_and_son_tra_and_loads_the_other_han_bridges()
    {
        var network = DaNang;
        var rong = Assert.Single(network.FindSegmentIdsByName("Cầu Rồng"));
        var baseline = DaNangBaseline;

        var closed = Simulator.Run(network, new ScenarioInputs { Interventions = [new CloseSegment(rong)] }, 60, 60);

        Assert.Equal(0, closed.Segment(rong).FlowVph);
        foreach (var (from, to) in new[] { ("hai-chau", "son-tra"), ("son-tra", "hai-chau") })
        {
            var before = baseline.Od(from, to)!;
            var after = closed.Od(from, to)!;
            Assert.True(after.DelayVehHours > before.DelayVehHours, $"{from}→{to}: {after.DelayVehHours} vs {before.DelayVehHours}");
            Assert.True(after.MeanTravelTimeMin > before.MeanTravelTimeMin);
        }

        var others = HanBridges.Where(n => n != "Cầu Rồng").Select(n => Assert.Single(network.FindSegmentIdsByName(n))).ToArray();
        var othersBefore = others.Sum(id => baseline.Segment(id).MeanFlowVph);
        var othersAfter = others.Sum(id => closed.Segment(id).MeanFlowVph);
        Assert.True(othersAfter > othersBefore, $"{othersAfter} vs {othersBefore}");
        // The nearest bridges take most of it.
        foreach (var name in new[] { "Cầu Sông Hàn", "Cầu Trần Thị Lý" })
        {
            var id = Assert.Single(network.FindSegmentIdsByName(name));
            Assert.True(closed.Segment(id).MeanFlowVph > baseline.Segment(id).MeanFlowVph, name);
        }
        Assert.True(closed.Network.TotalDelayVehHours > baseline.Network.TotalDelayVehHours);
    }

    [Fact]
    public void A_bridge_closed_for_part_of_the_run_carries_nothing_then_and_traffic_after()
    {
        var network = DaNang;
        var rong = Assert.Single(network.FindSegmentIdsByName("Cầu Rồng"));

        var closedFirstHalf = Simulator.Run(network, new ScenarioInputs { Interventions = [new CloseSegment(rong, 0, 30)] }, 60, 60);

        Assert.All(closedFirstHalf.Steps.Where(s => s.Minute < 30), s => Assert.Equal(1, s.ClosedSegments));
        Assert.All(closedFirstHalf.Steps.Where(s => s.Minute >= 30), s => Assert.Equal(0, s.ClosedSegments));
        var mean = closedFirstHalf.Segment(rong).MeanFlowVph;
        Assert.True(mean > 0 && mean < DaNangBaseline.Segment(rong).MeanFlowVph);
        Assert.Equal(SegmentStatus.Open, closedFirstHalf.Segment(rong).Status);
        Assert.True(closedFirstHalf.Segment(rong).FlowVph > 0);
        Assert.Empty(closedFirstHalf.ClosedSegmentIds);
    }
}
