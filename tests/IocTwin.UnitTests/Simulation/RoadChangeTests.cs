using IocTwin.Model;
using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class RoadChangeTests
{
    [Fact]
    public void A_lower_speed_limit_slows_the_road_and_sends_some_traffic_elsewhere()
    {
        const string road = "seg-nguyen-tat-thanh-3";
        var result = Simulator.Run(DaNang, new ScenarioInputs { Interventions = [new ChangeSpeedLimit(road, 20)] }, 60, 60);

        Assert.True(result.Segment(road).SpeedKmh <= 20);
        Assert.True(DaNangBaseline.Segment(road).SpeedKmh > 20);
        Assert.True(result.Segment(road).MeanFlowVph < DaNangBaseline.Segment(road).MeanFlowVph);
    }

    [Fact]
    public void An_incident_raises_the_volume_to_capacity_ratio_of_its_road_until_it_is_cleared()
    {
        const string road = "seg-dien-bien-phu-2";
        var during = Simulator.Run(DaNang, new ScenarioInputs { Interventions = [new Incident(road, 0.5)] }, 60, 60);
        var cleared = Simulator.Run(DaNang, new ScenarioInputs { Interventions = [new Incident(road, 0.5, 0, 30)] }, 60, 60);

        Assert.Equal(SegmentStatus.Incident, during.Segment(road).Status);
        Assert.True(during.Segment(road).VolumeToCapacity > DaNangBaseline.Segment(road).VolumeToCapacity);
        Assert.True(during.Segment(road).DelayVehHours > DaNangBaseline.Segment(road).DelayVehHours);
        Assert.Equal(SegmentStatus.Open, cleared.Segment(road).Status);
        Assert.True(cleared.Segment(road).DelayVehHours < during.Segment(road).DelayVehHours);
    }

    [Fact]
    public void A_road_registered_as_closed_carries_nothing_unless_reopened()
    {
        var city = DaNang;
        var segments = city.Segments.Select(s => s.Id == "seg-cau-tien-son" ? s with { Status = SegmentStatus.Closed } : s).ToArray();
        var network = RoadNetwork.Create(segments, city.Districts, "danang-tien-son-closed");

        var closed = Simulator.Run(network, ScenarioInputs.Baseline, 30, 60);
        var reopened = Simulator.Run(network, new ScenarioInputs { Interventions = [new ReopenSegment("seg-cau-tien-son")] }, 30, 60);

        Assert.Equal(0, closed.Segment("seg-cau-tien-son").MeanFlowVph);
        Assert.Contains("seg-cau-tien-son", closed.ClosedSegmentIds);
        Assert.True(reopened.Segment("seg-cau-tien-son").MeanFlowVph > 0);
        Assert.Empty(reopened.ClosedSegmentIds);
    }

    [Fact]
    public void The_small_hours_are_quieter_than_the_morning_peak()
    {
        var night = Simulator.Run(DaNang, new ScenarioInputs { StartTimeOfDay = TimeSpan.FromHours(3) }, 60, 60);

        Assert.True(night.Trips.Generated < 0.2 * DaNangBaseline.Trips.Generated);
        Assert.True(night.Network.MeanSpeedKmh > DaNangBaseline.Network.MeanSpeedKmh);
        Assert.True(night.Network.TotalDelayVehHours < DaNangBaseline.Network.TotalDelayVehHours);
        Assert.Equal(TimeSpan.FromHours(3), night.Steps[0].TimeOfDay);
    }

    [Fact]
    public void Peak_hour_roads_run_at_realistic_loads()
    {
        var ratios = DaNangBaseline.Segments.Where(s => s.Status == SegmentStatus.Open).Select(s => s.VolumeToCapacity).Order().ToArray();

        var median = ratios[ratios.Length / 2];
        Assert.InRange(median, 0.3, 0.9);
        Assert.True(ratios.Count(r => r > 1.5) <= ratios.Length / 20, "few roads far over capacity");
        Assert.InRange(DaNangBaseline.Network.MeanSpeedKmh, 20, 70);
    }
}
