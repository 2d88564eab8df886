using IocTwin.Simulation;
using static IocTwin.Tests.Simulation.SimulationCities;

namespace IocTwin.Tests.Simulation;

public sealed class TripConservationTests
{
    [Fact]
    public void Every_trip_is_accounted_for_at_every_step_of_a_busy_scenario()
    {
        var result = Simulator.Run(DaNang, BusyDaNangDay, 120, 60);

        Assert.All(result.Steps, step =>
        {
            var trips = step.Trips;
            var scale = trips.InitialEnRoute + trips.Generated;
            Assert.True(Math.Abs(trips.Imbalance) <= 1e-9 * scale, $"minute {step.Minute}: {trips}");
            Assert.True(trips.Completed >= 0 && trips.EnRoute >= 0 && trips.Unreachable >= 0 && trips.Stranded >= 0);
            Assert.True(trips.Stranded <= trips.EnRoute + 1e-9);
        });
        // The flood cut some trips off: they are reported, not dropped.
        Assert.True(result.Steps.Max(s => s.FloodedSegments) > 0);
        Assert.True(result.Trips.Unreachable > 0);
        Assert.True(result.Trips.Completed > 0);
    }

    [Fact]
    public void Added_trips_all_set_out_and_arrive_after_their_travel_time()
    {
        var inputs = new ScenarioInputs
        {
            BaselineDemandScale = 0,
            Interventions = [new AddDemand(DemandEnd.District("lien-chieu"), DemandEnd.District("son-tra"), 5000, 0, 30)],
        };

        var result = Simulator.Run(DaNang, inputs, 180, 60);

        Assert.Equal(0, result.Trips.InitialEnRoute);
        Assert.Equal(5000, result.Trips.Generated, 6);
        Assert.Equal(0, result.Trips.Unreachable);
        Assert.True(result.Trips.Completed > 0.99 * 5000, result.Trips.ToString());
        Assert.Equal(0, result.Trips.Imbalance, 6);

        // A trip of a quarter of an hour does not arrive in the first minutes.
        var od = result.Od("lien-chieu", "son-tra")!;
        Assert.True(od.MeanTravelTimeMin > 10, od.ToString());
        var early = result.Steps.Single(s => s.Minute == 5).Trips;
        Assert.True(early.Completed < 0.05 * early.Generated, early.ToString());
        Assert.Equal(5000, od.Trips, 6);
    }

    [Fact]
    public void Added_trips_whose_window_runs_past_the_end_of_the_run_set_out_only_within_it()
    {
        var inputs = new ScenarioInputs
        {
            BaselineDemandScale = 0,
            Interventions = [new AddDemand(DemandEnd.District("cam-le"), DemandEnd.District("thanh-khe"), 6000, 30, 150)],
        };

        var result = Simulator.Run(DaNang, inputs, 60, 60);

        // A quarter of the window falls within the run.
        Assert.Equal(1500, result.Trips.Generated, 6);
        Assert.All(result.Steps.Where(s => s.Minute < 30), s => Assert.Equal(0, s.Trips.Generated));
    }

    [Fact]
    public void A_festival_adds_its_trips_to_the_day_and_loads_the_roads_around_it()
    {
        var network = DaNang;
        var riverside = DemandEnd.Nodes("n-bd-hv", "n-bd-nvl", "n-bd-ld");
        var festival = new ScenarioInputs { Interventions = [new AddDemand(DemandEnd.City, riverside, 20_000, 0, 60)] };

        var result = Simulator.Run(network, festival, 60, 60);
        var baseline = DaNangBaseline;

        Assert.Equal(baseline.Trips.Generated + 20_000, result.Trips.Generated, 6);
        Assert.True(result.Network.TotalDelayVehHours > baseline.Network.TotalDelayVehHours);
        foreach (var id in new[] { "seg-bach-dang-2", "seg-bach-dang-3", "seg-hung-vuong" })
        {
            Assert.True(result.Segment(id).MeanFlowVph > baseline.Segment(id).MeanFlowVph, id);
        }
        Assert.True(result.District("hai-chau").MeanSpeedKmh < baseline.District("hai-chau").MeanSpeedKmh);
    }
}
