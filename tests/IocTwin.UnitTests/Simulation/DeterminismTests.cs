using System.Text.Json;
using IocTwin.Model;
using IocTwin.Simulation;
using IocTwin.Topology;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class DeterminismTests
{
    private static string Json(SimulationResult result) => JsonSerializer.Serialize(result);

    [Fact]
    public void The_same_scenario_gives_the_same_result_on_a_fresh_network_and_any_number_of_cores()
    {
        var inputs = new ScenarioInputs
        {
            Interventions =
            [
                new CloseSegment("seg-cau-song-han", 0, 30),
                new Rainfall("son-tra", 100, 0, 45),
                new AddDemand(DemandEnd.District("thanh-khe"), DemandEnd.City, 3000, 10, 40),
            ],
        };

        var first = Simulator.Run(DaNang, inputs, 60, 60);
        var fresh = RoadNetwork.FromCity(GeoJsonCityReader.LoadSample());
        var oneCore = Simulator.Run(fresh, inputs, 60, 60, options: new SimulationOptions { MaxDegreeOfParallelism = 1 });

        Assert.Equal(Json(first), Json(oneCore));
    }

    [Theory]
    [InlineData(TrafficModel.Static)]
    [InlineData(TrafficModel.Dynamic)]
    public void Routing_on_several_cores_gives_the_same_result_as_on_one(TrafficModel model)
    {
        // The routes are worked out beside the loading of the steps before them: neither the cores nor that may show.
        var network = RoadNetwork.FromCity(SyntheticCityGenerator.Generate(new SyntheticCityOptions(8, 800, 0)));
        var inputs = new ScenarioInputs
        {
            Model = model,
            Interventions = [new CloseSegment(network.Segments[100].Id, 5, 20), new Rainfall("d-0003", 150, 0, 20)],
        };

        var one = Simulator.Run(network, inputs, 30, 60, options: new SimulationOptions { MaxDegreeOfParallelism = 1 });
        var four = Simulator.Run(network, inputs, 30, 60, options: new SimulationOptions { MaxDegreeOfParallelism = 4 });

        Assert.Equal(Json(one), Json(four));
        Assert.Equal(0, four.Trips.Imbalance, 6);
        Assert.NotEmpty(four.EverFloodedSegmentIds);
    }

    [Fact]
    public void A_run_without_interventions_reproduces_the_baseline_exactly()
    {
        var again = Simulator.Run(RoadNetwork.FromCity(GeoJsonCityReader.LoadSample()), ScenarioInputs.Baseline, 60, 60);

        Assert.Equal(Json(DaNangBaseline), Json(again));
    }

    [Fact]
    public void Interventions_that_change_nothing_reproduce_the_baseline_exactly()
    {
        var network = DaNang;
        var spec = network.Segments[network.SegmentIndex("seg-duy-tan-2")];
        var inert = new ScenarioInputs
        {
            Interventions =
            [
                new ReopenSegment("seg-duy-tan-1"),
                new Rainfall("hai-chau", 0, 10, 20),
                new ChangeCapacity(spec.Id, spec.CapacityVph, 5, 25),
                new ChangeSpeedLimit(spec.Id, spec.FreeFlowSpeedKmh, 30),
            ],
        };

        var result = Simulator.Run(network, inert, 60, 60);

        Assert.Equal(Json(DaNangBaseline), Json(result));
    }

    [Fact]
    public void A_real_intervention_does_change_the_result()
    {
        var result = Simulator.Run(DaNang, new ScenarioInputs { Interventions = [new Incident("seg-nguyen-van-linh-2", 0.5)] }, 60, 60);

        Assert.NotEqual(Json(DaNangBaseline), Json(result));
        Assert.True(result.Segment("seg-nguyen-van-linh-2").DelayVehHours > DaNangBaseline.Segment("seg-nguyen-van-linh-2").DelayVehHours);
    }
}
