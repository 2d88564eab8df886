using System.Diagnostics;
using IocTwin.Benchmarks.Harness;
using IocTwin.Simulation;
using IocTwin.Topology;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 5. Scenario speed: one simulated hour (60 s steps) with a closed road, on the Đà Nẵng sample and on the synthetic
/// city of the run, as simulated time per wall-clock time; the baseline is real time (1×). The one-off calibration of
/// a network's baseline demand is reported apart, as the time a city's first scenario waits for it.
/// </summary>
public static class ScenarioSpeedBenchmark
{
    public const string Name = "scenario";

    public static bool Available => true;

    public static Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sample = GeoJsonCityReader.LoadSample();
        Measure(context.Results, "Đà Nẵng sample", RoadNetwork.FromCity(sample), sample.Segments.Single(s => s.Name == "Cầu Rồng").Id);
        Measure(context.Results, $"synthetic city, {context.City.Segments.Count:N0} segments", RoadNetwork.FromCity(context.City),
            context.City.Segments[context.City.Segments.Count / 2].Id);
        return Task.CompletedTask;
    }

    private static void Measure(Results results, string city, RoadNetwork network, string closedSegmentId)
    {
        const double horizonMinutes = 60;
        var clock = Stopwatch.StartNew();
        BaselineDemand.For(network);
        var calibration = clock.Elapsed.TotalSeconds;

        var inputs = new ScenarioInputs { Interventions = [new CloseSegment(closedSegmentId)] };
        clock.Restart();
        var result = Simulator.Run(network, inputs, horizonMinutes, 60);
        var wall = clock.Elapsed.TotalSeconds;

        results.Add(new Figure(Name, $"1 simulated hour, {city}", horizonMinutes * 60 / wall, Unit.Factor, "real time", 1));
        results.Note($"scenario on the {city}: {result.Steps.Count} steps in {wall:N2} s wall clock; demand calibration once per city {calibration:N2} s.");
    }
}
