using System.Diagnostics;
using IocTwin.Benchmarks.Harness;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 1. Raw Orleans call rate: no-op calls to many activations of <see cref="NoopGrain"/> on the twin's own silo, from
/// the host process like the ingest path's calls, with enough calls in flight to keep both cores busy.
/// </summary>
public static class GrainCallBaseline
{
    public const string Name = "baseline";

    public static async Task<double> RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var grains = context.Host.Grains;
        var keys = Enumerable.Range(0, options.BaselineGrains).Select(i => $"noop-{i:D6}").ToArray();

        Progress.Say($"baseline: activating {keys.Length:N0} no-op grains");
        await Task.WhenAll(keys.Select(k => grains.GetGrain<INoopGrain>(k).Ping()));

        await CallAsync(grains, keys, options.BaselineInFlight, options.BaselineWarmup);
        var before = context.Counters.Take();
        var (calls, elapsed) = await CallAsync(grains, keys, options.BaselineInFlight, options.BaselineWindow);
        var window = context.Counters.Take().Since(before);
        var rate = calls / elapsed.TotalSeconds;

        context.Results.Add(new Figure(Name, $"no-op grain calls, {options.BaselineInFlight:N0} in flight over {keys.Length:N0} grains",
            rate, Unit.PerSecond, "itself", rate));
        context.Results.Note($"baseline calls: {window.Describe(calls, "call")}");
        context.BaselineCpuPerCall = window.CpuMicrosecondsPer(calls);
        context.BaselineBytesPerCall = window.AllocatedPer(calls);
        return rate;
    }

    /// <summary>Keeps <paramref name="inFlight"/> calls outstanding for the given time; returns calls completed and the exact time taken.</summary>
    private static async Task<(long Calls, TimeSpan Elapsed)> CallAsync(IGrainFactory grains, string[] keys, int inFlight, TimeSpan duration)
    {
        var calls = 0L;
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        async Task Worker()
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var key = keys[(int)((uint)Interlocked.Increment(ref next) % (uint)keys.Length)];
                await grains.GetGrain<INoopGrain>(key).Ping();
                Interlocked.Increment(ref calls);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(Worker)));
        return (calls, Stopwatch.GetElapsedTime(started));
    }
}
