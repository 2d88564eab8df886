using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class InputValidationTests
{
    private static ScenarioInputs With(params Intervention[] interventions) => new() { Interventions = interventions };

    public static TheoryData<string, ScenarioInputs, string> InvalidInputs => new()
    {
        { "unknown segment", With(new CloseSegment("seg-khong-co")), "inputs.Interventions[0].SegmentId" },
        { "unknown segment, second", With(new CloseSegment("seg-cau-rong"), new Incident("nope", 0.5)), "inputs.Interventions[1].SegmentId" },
        { "negative rain", With(new Rainfall("hai-chau", -5, 0, 30)), "inputs.Interventions[0].MmPerHour" },
        { "unknown district", With(new Rainfall("hoi-an", 50, 0, 30)), "inputs.Interventions[0].DistrictId" },
        { "window starts after the run", With(new CloseSegment("seg-cau-rong", 90, 100)), "inputs.Interventions[0].StartMinute" },
        { "window starts before the run", With(new CloseSegment("seg-cau-rong", -10, 20)), "inputs.Interventions[0].StartMinute" },
        { "window starts at the end of the run", With(new Rainfall("hai-chau", 50, 60, 75)), "inputs.Interventions[0].StartMinute" },
        { "window without an end", With(new Rainfall("hai-chau", 50, 0, double.PositiveInfinity)), "inputs.Interventions[0].EndMinute" },
        { "window ends before it starts", With(new Incident("seg-cau-rong", 0.5, 30, 20)), "inputs.Interventions[0].EndMinute" },
        { "incident beyond the whole road", With(new Incident("seg-cau-rong", 1.5)), "inputs.Interventions[0].CapacityReduction" },
        { "no capacity", With(new ChangeCapacity("seg-cau-rong", 0)), "inputs.Interventions[0].CapacityVph" },
        { "speed limit too low", With(new ChangeSpeedLimit("seg-cau-rong", 1)), "inputs.Interventions[0].SpeedKmh" },
        { "no trips", With(new AddDemand(DemandEnd.City, DemandEnd.District("hai-chau"), 0)), "inputs.Interventions[0].Trips" },
        { "unknown node", With(new AddDemand(DemandEnd.Nodes("n-bd-hv", "n-nowhere"), DemandEnd.City, 100)), "inputs.Interventions[0].Origin.NodeIds[1]" },
        { "unknown destination district", With(new AddDemand(DemandEnd.City, DemandEnd.District("hue"), 100)), "inputs.Interventions[0].Destination.DistrictId" },
        { "start time past midnight", new ScenarioInputs { StartTimeOfDay = TimeSpan.FromHours(25) }, "inputs.StartTimeOfDay" },
        { "negative demand", new ScenarioInputs { BaselineDemandScale = -1 }, "inputs.BaselineDemandScale" },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public void Invalid_inputs_are_rejected_naming_the_field(string because, ScenarioInputs inputs, string field)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Simulator.Run(DaNang, inputs, 60, 60));

        Assert.True(field == error.ParamName, $"{because}: expected {field}, got {error.ParamName} ({error.Message})");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(double.NaN)]
    public void A_step_that_is_not_positive_is_rejected(double stepSeconds)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Simulator.Run(DaNang, ScenarioInputs.Baseline, 60, stepSeconds));

        Assert.Equal("stepSeconds", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(20_000)]
    public void A_horizon_out_of_range_is_rejected(double horizonMinutes)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Simulator.Run(DaNang, ScenarioInputs.Baseline, horizonMinutes, 60));

        Assert.Equal("horizonMinutes", error.ParamName);
    }

    [Fact]
    public void Bad_options_are_rejected_naming_the_option()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Simulator.Run(DaNang, ScenarioInputs.Baseline, 60, 60, options: new SimulationOptions { AssignmentIterationLimit = 0 }));

        Assert.Equal("options.AssignmentIterationLimit", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1e-4)]
    public void A_convergence_gap_outside_zero_to_one_is_rejected(double gap)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            Simulator.Run(DaNang, ScenarioInputs.Baseline, 60, 60, options: new SimulationOptions { ConvergenceGap = gap }));

        Assert.Equal("options.ConvergenceGap", error.ParamName);
    }

    [Fact]
    public void A_network_with_a_segment_in_an_unknown_district_is_rejected()
    {
        var segments = DaNang.Segments.Select((s, i) => i == 3 ? s with { DistrictId = "hoi-an" } : s).ToArray();

        var error = Assert.ThrowsAny<ArgumentException>(() => RoadNetwork.Create(segments, DaNang.Districts));

        Assert.Equal("segments[3].DistrictId", error.ParamName);
    }
}
