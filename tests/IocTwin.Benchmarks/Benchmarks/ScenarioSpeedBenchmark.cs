using IocTwin.Benchmarks.Harness;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 5. Scenario speed — the place for it; the twin has no scenarios yet, so nothing is measured.
/// </summary>
/// <remarks>
/// When what-if scenarios exist (a copy of the twin run forward under changed inputs: a closed bridge, a rain
/// episode), this benchmark runs one over the synthetic city of <see cref="BenchmarkContext.City"/> on
/// <see cref="BenchmarkContext.Host"/> and reports simulated time per wall-clock second, and the time to the first
/// scenario frame on a <c>scenario:{id}</c> screen, each against a baseline of the same run (e.g. the live twin's
/// rollup of the same readings). Set <see cref="Available"/> to true and add figures with
/// <see cref="Results.Add"/>; <see cref="BenchmarkProgram"/> already calls it after the latency benchmark.
/// </remarks>
public static class ScenarioSpeedBenchmark
{
    public const string Name = "scenario";

    public static bool Available => false;

    public static Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.CompletedTask;
    }
}
