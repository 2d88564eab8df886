using IocTwin.Model;
using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class ScenarioComparisonTests
{
    [Fact]
    public void The_closed_bridge_and_the_bridges_taking_its_traffic_are_among_the_most_affected_segments()
    {
        var network = DaNang;
        var rong = Assert.Single(network.FindSegmentIdsByName("Cầu Rồng"));
        var songHan = Assert.Single(network.FindSegmentIdsByName("Cầu Sông Hàn"));
        var closed = Simulator.Run(network, new ScenarioInputs { Interventions = [new CloseSegment(rong)] }, 60, 60);

        var byFlow = ScenarioComparison.Compare(DaNangBaseline, closed, top: 5, SegmentRanking.Flow);

        Assert.Equal(5, byFlow.MostAffectedSegments.Count);
        var first = byFlow.MostAffectedSegments[0];
        Assert.Equal(rong, first.SegmentId);
        Assert.Equal(SegmentStatus.Closed, first.ScenarioStatus);
        Assert.Equal(-DaNangBaseline.Segment(rong).MeanFlowVph, first.MeanFlowVph.Change, 6);
        // The five largest changes either way, largest first.
        var changes = byFlow.MostAffectedSegments.Select(s => Math.Abs(s.MeanFlowVph.Change)).ToArray();
        Assert.Equal(changes.OrderByDescending(c => c), changes);
        var listed = byFlow.MostAffectedSegments.Select(s => s.SegmentId).ToHashSet();
        Assert.All(closed.Segments.Where(s => !listed.Contains(s.SegmentId)),
            s => Assert.True(Math.Abs(s.MeanFlowVph - DaNangBaseline.Segment(s.SegmentId).MeanFlowVph) <= changes[^1], s.SegmentId));
        Assert.Contains(byFlow.MostAffectedSegments, s => s.MeanFlowVph.Change > 0);

        var byDelay = ScenarioComparison.Compare(DaNangBaseline, closed, top: 3);
        Assert.Contains(byDelay.MostAffectedSegments, s => s.SegmentId == songHan && s.DelayVehHours.Change > 0);
        Assert.True(byDelay.TotalDelayVehHours!.Value.Change > 0);
        Assert.Equal(network.DistrictCount, byDelay.Districts.Count);
        Assert.True(byDelay.Districts.Single(d => d.DistrictId == "hai-chau").DelayVehHours.Change > 0);
        var haiChauToSonTra = byDelay.OdPairs.Single(p => p.OriginDistrictId == "hai-chau" && p.DestinationDistrictId == "son-tra");
        Assert.True(haiChauToSonTra.MeanTravelTimeMin.Change > 0);
    }

    [Fact]
    public void A_run_compared_with_itself_shows_no_change()
    {
        var delta = ScenarioComparison.Compare(DaNangBaseline, DaNangBaseline, top: 10);

        Assert.Empty(delta.MostAffectedSegments);
        Assert.Equal(0, delta.TotalDelayVehHours!.Value.Change);
        Assert.All(delta.Districts, d => Assert.Equal(0, d.DelayVehHours.Change));
    }

    [Fact]
    public void Runs_of_different_networks_cannot_be_compared()
    {
        var other = Simulator.Run(TwoBanks(), ScenarioInputs.Baseline, 10, 60);

        var error = Assert.ThrowsAny<ArgumentException>(() => ScenarioComparison.Compare(DaNangBaseline, other));

        Assert.Equal("scenario", error.ParamName);
    }
}
