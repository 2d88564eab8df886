using IocTwin.Model;
using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class FloodTests
{
    private const string HaiChau = "hai-chau";

    /// <summary>A cloudburst on Hải Châu: 120 mm in the first hour.</summary>
    private static readonly ScenarioInputs Cloudburst = new() { Interventions = [new Rainfall(HaiChau, 120, 0, 60)] };

    [Fact]
    public void Heavy_rain_floods_some_low_streets_of_the_district_and_they_carry_no_traffic()
    {
        var network = DaNang;
        // 90 mm in an hour, looked at as it ends.
        var result = Simulator.Run(network, new ScenarioInputs { Interventions = [new Rainfall(HaiChau, 90, 0, 60)] }, 61, 60);

        var streets = network.Segments.Count(s => s.DistrictId == HaiChau && s.RoadClass != "bridge");
        Assert.NotEmpty(result.FloodedSegmentIds);
        Assert.True(result.FloodedSegmentIds.Count < streets, $"not every street floods: {result.FloodedSegmentIds.Count} of {streets}");
        Assert.All(result.FloodedSegmentIds, id =>
        {
            var segment = result.Segment(id);
            Assert.Equal(HaiChau, segment.DistrictId);
            Assert.Equal(SegmentStatus.Flooded, segment.Status);
            Assert.Equal(0, segment.FlowVph);
            Assert.Null(segment.Los);
            Assert.True(segment.MaxWaterDepthM > 0.3);
        });
        // Bridges stand above the water.
        Assert.DoesNotContain(result.FloodedSegmentIds, id => network.Segments[network.SegmentIndex(id)].RoadClass == "bridge");
        // Other districts stay dry.
        Assert.All(result.Districts.Where(d => d.DistrictId != HaiChau), d => Assert.Equal(0, d.MaxWaterDepthM));
        Assert.True(result.District(HaiChau).MaxFloodedSegments > 0);
    }

    [Fact]
    public void Flooded_streets_open_again_once_the_rain_stops_and_the_water_drains()
    {
        var result = Simulator.Run(DaNang, Cloudburst, 270, 60);

        Assert.NotEmpty(result.EverFloodedSegmentIds);
        Assert.Empty(result.FloodedSegmentIds);
        Assert.Equal(0, result.Steps[^1].FloodedSegments);
        Assert.Equal(0, result.District(HaiChau).FinalWaterDepthM);

        // The water peaks when the rain stops, then falls.
        var deepest = result.Steps.MaxBy(s => s.MaxWaterDepthM)!;
        Assert.InRange(deepest.Minute, 55, 65);
        Assert.All(result.EverFloodedSegmentIds, id =>
        {
            var segment = result.Segment(id);
            Assert.Equal(SegmentStatus.Open, segment.Status);
            Assert.True(segment.MaxWaterDepthM > 0.3);
            Assert.NotNull(segment.Los);
        });
        Assert.Contains(result.EverFloodedSegmentIds, id => result.Segment(id).FlowVph > 0);
    }

    [Fact]
    public void Light_rain_that_the_drains_carry_floods_nothing_but_slows_traffic()
    {
        var result = Simulator.Run(DaNang, new ScenarioInputs { Interventions = [new Rainfall(HaiChau, 20, 0, 60)] }, 60, 60);

        Assert.Empty(result.EverFloodedSegmentIds);
        Assert.Equal(0, result.District(HaiChau).MaxWaterDepthM);
        Assert.True(result.District(HaiChau).MeanSpeedKmh < DaNangBaseline.District(HaiChau).MeanSpeedKmh);
        Assert.True(result.District(HaiChau).DelayVehHours > DaNangBaseline.District(HaiChau).DelayVehHours);
    }

    [Fact]
    public void More_rain_floods_more_streets()
    {
        var moderate = Simulator.Run(DaNang, new ScenarioInputs { Interventions = [new Rainfall(HaiChau, 90, 0, 60)] }, 61, 60);
        var heavy = Simulator.Run(DaNang, Cloudburst, 61, 60);

        Assert.NotEmpty(moderate.EverFloodedSegmentIds);
        Assert.True(heavy.EverFloodedSegmentIds.Count > moderate.EverFloodedSegmentIds.Count,
            $"{heavy.EverFloodedSegmentIds.Count} vs {moderate.EverFloodedSegmentIds.Count}");
        // The streets that flood in moderate rain are the lowest ones: they flood in heavy rain too.
        Assert.Subset(heavy.EverFloodedSegmentIds.ToHashSet(), moderate.EverFloodedSegmentIds.ToHashSet());
        Assert.True(heavy.District(HaiChau).MaxWaterDepthM > moderate.District(HaiChau).MaxWaterDepthM);
    }
}
