using System.Diagnostics;
using IocTwin.Benchmarks.Harness;
using IocTwin.Model;
using IocTwin.Simulation;
using IocTwin.Topology;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 5. Scenario speed: one simulated hour (60 s steps) with a closed road, on the Đà Nẵng sample and on the synthetic
/// city of the run, as simulated time per wall-clock time, with the static model and with dynamic loading; the
/// baseline is real time (1×). What a city's runs share and its first scenario waits for once — the calibration of its
/// baseline demand and the baseline routes each run starts from — is reported apart; so is the process CPU time of
/// the run (the box may be shared). Targets for dynamic loading: ≥ 10,000× on Đà Nẵng, ≥ 1,000× on 10,000 segments.
/// </summary>
public static class ScenarioSpeedBenchmark
{
    public const string Name = "scenario";

    public static bool Available => true;

    public static Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sample = GeoJsonCityReader.LoadSample();
        var daNang = RoadNetwork.FromCity(sample);
        var synthetic = RoadNetwork.FromCity(context.City);
        var syntheticName = $"synthetic city, {context.City.Segments.Count:N0} segments";
        foreach (var model in new[] { TrafficModel.Static, TrafficModel.Dynamic })
        {
            Measure(context.Results, "Đà Nẵng sample", daNang, sample.Segments.Single(s => s.Name == "Cầu Rồng").Id, model, 10_000);
            Measure(context.Results, syntheticName, synthetic, context.City.Segments[context.City.Segments.Count / 2].Id, model, 1_000);
        }
        return Task.CompletedTask;
    }

    private static void Measure(Results results, string city, RoadNetwork network, string closedSegmentId, TrafficModel model, double dynamicTarget)
    {
        const double horizonMinutes = 60;
        var inputs = new ScenarioInputs { Model = model, Interventions = [new CloseSegment(closedSegmentId)] };
        var clock = Stopwatch.StartNew();
        Simulator.Prepare(network, inputs, horizonMinutes, 60);
        var calibration = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = Simulator.Run(network, inputs, horizonMinutes, 60);
        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        var dynamic = model == TrafficModel.Dynamic;
        var speed = horizonMinutes * 60 / wall;
        var label = dynamic ? $"1 simulated hour, {city}, dynamic" : $"1 simulated hour, {city}";
        results.Add(new Figure(Name, label, speed, Unit.Factor, "real time", 1)
        {
            Target = dynamic ? $"≥ {dynamicTarget:N0}×" : null,
            Met = dynamic ? speed >= dynamicTarget : null,
        });
        results.Note($"scenario ({model.ToString().ToLowerInvariant()}) on the {city}: {result.Steps.Count} steps in {wall:N2} s wall clock, " +
            $"{cpuSeconds:N2} s process CPU ({horizonMinutes * 60 / cpuSeconds:N0}× real time per CPU-second), " +
            $"{result.Assignments.Sum(a => a.Iterations)} Algorithm B iterations in {result.Assignments.Count} assignments; " +
            $"demand calibration and baseline routes once per city {calibration:N2} s.");
    }
}
