using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IocTwin.Api.Json;
using IocTwin.Benchmarks.Harness;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 6. Subscribe latency. One SignalR client (the official JavaScript client in a Node process of its own, JSON, as the
/// screens: <see cref="NodeSubscribeClient"/>) subscribes to <c>city</c>, a <c>district:{id}</c> and an
/// <c>entity:{id}</c> in turn, unsubscribing after each, and times the call until its answer has arrived and been parsed
/// (the screen can draw the scope), and until the last part of a snapshot sent in parts has (the scope is whole): first
/// on an idle twin, then under a steady feed through POST /api/v1/readings. The baseline is a hub call
/// that does nothing (<c>Unsubscribe</c> of a scope the connection does not hold), timed in turn with the others on the
/// same connection. The first call of each scope, which finds nothing held yet, is reported apart.
/// </summary>
public static class SubscribeBenchmark
{
    public const string Name = "subscribe";
    private const double TargetP99Milliseconds = 500;
    /// <summary>How long a call may take until its snapshot is whole (its last part in) before it is counted as timed out.</summary>
    private static readonly TimeSpan WholeTimeout = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var host = context.Host;
        var city = context.City;
        var district = city.Districts[city.Districts.Count / 2].Id;
        var scopes = new[] { "city", $"district:{district}", $"entity:{city.Sensors.First(s => s.DistrictId == district).Id}" };

        // The timed client is the official SignalR JavaScript client in a Node process of its own, as a screen is.
        var (address, token) = (host.Address, host.IocToken());
        var firstCalls = (await NodeSubscribeClient.RunAsync(address, token, scopes, rounds: 1))
            .Where(c => c.Scope != RoundTrip).ToDictionary(c => c.Scope, c => c.AnswerMs);

        Progress.Say($"subscribe: {options.SubscribeSamples} calls per scope on an idle twin ({string.Join(", ", scopes)})");
        var idle = Measure(await NodeSubscribeClient.RunAsync(address, token, scopes, options.SubscribeSamples));
        Report(context, "idle", idle, "");
        var rawIdle = await RawCityAllocationsAsync(context, AllocationSamples(options), feed: null);
        ReportAllocation(context, "idle", rawIdle, idle["city"].Sensors);
        foreach (var (scope, first) in firstCalls)
        {
            var label = scope.Split(':')[0];
            context.Results.Add(new Figure(Name, $"first call, {label}, idle", first, Unit.Milliseconds, $"idle {label} p50",
                LatencyBenchmark.Percentile(idle[scope].Times, 0.50)));
        }

        using var stop = new CancellationTokenSource();
        var feed = new SteadyFeed(host, city, options.SubscribeFeedReadingsPerSecond);
        var feeding = feed.RunAsync(stop.Token);
        try
        {
            Progress.Say($"subscribe: the same under a feed of {options.SubscribeFeedReadingsPerSecond:N0} readings/s");
            await Task.Delay(options.LatencyWarmup);
            // First, so that it is measured even when a busy machine makes the calls below fail.
            var rawFed = await RawCityAllocationsAsync(context, AllocationSamples(options), feed);
            ReportAllocation(context, $"under {options.SubscribeFeedReadingsPerSecond:N0} readings/s, net of the feed", rawFed, idle["city"].Sensors);
            var before = context.Counters.Take();
            var sentBefore = feed.Sent;
            var fed = Measure(await NodeSubscribeClient.RunAsync(address, token, scopes, options.SubscribeSamples));
            var window = context.Counters.Take().Since(before);

            Report(context, $"under {options.SubscribeFeedReadingsPerSecond:N0} readings/s", fed, string.Create(CultureInfo.InvariantCulture,
                $"feed {(feed.Sent - sentBefore) / window.Elapsed.TotalSeconds:N0} readings/s acknowledged ({feed.Failed} failed posts); twin process {window.Describe(options.SubscribeSamples * scopes.Length, "subscribe")}"));
        }
        finally
        {
            await stop.CancelAsync();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Milliseconds per call (to its answer, and to its last part), sorted, per scope and for the no-op call
    /// (<see cref="RoundTrip"/>); the client took them in turns so each saw the same conditions.
    /// </summary>
    private static Dictionary<string, Measured> Measure(List<TimedSubscribe> calls)
    {
        var results = calls.Select(c => c.Scope).Distinct().ToDictionary(s => s, _ => new Measured());
        foreach (var call in calls)
        {
            var measured = results[call.Scope];
            measured.Times.Add(call.AnswerMs);
            measured.Parts = call.Parts;
            // Only a snapshot that came whole counts to its last part, and says how many records the scope holds.
            if (call.Outcome == SnapshotOutcome.Whole)
            {
                measured.Whole.Add(call.WholeMs);
                (measured.Segments, measured.Sensors) = (call.Segments, call.Sensors);
            }
            else
            {
                measured.Incomplete[call.Outcome] = measured.Incomplete.GetValueOrDefault(call.Outcome) + 1;
            }
        }
        foreach (var measured in results.Values)
        {
            measured.Times.Sort();
            measured.Whole.Sort();
        }
        return results;
    }

    /// <summary>One scope's calls: milliseconds, sorted; and the segments and sensors its snapshot held.</summary>
    private sealed class Measured
    {
        public List<double> Times { get; } = [];
        /// <summary>Milliseconds to the last part of a snapshot sent in parts (to the answer when it has none).</summary>
        public List<double> Whole { get; } = [];
        /// <summary>Calls whose snapshot did not come whole: a resync ended it, or its parts did not come in time.</summary>
        public Dictionary<SnapshotOutcome, int> Incomplete { get; } = [];
        public int Segments { get; set; }
        public int Sensors { get; set; }
        public int Parts { get; set; }
    }

    /// <summary>Allocation does not vary as latency does: 20 samples tell its median, more calls only lengthen the run.</summary>
    private static int AllocationSamples(RunOptions options) => Math.Min(options.SubscribeSamples, 20);

    /// <summary>
    /// Bytes the process allocates per <c>Subscribe("city")</c> of a client that parses nothing (<see cref="RawHubClient"/>),
    /// sorted: the twin's own work for a city subscriber. Under a feed, what the feed allocates at the rate measured over
    /// the second before each call is taken off. Allocation does not depend on the machine's load.
    /// </summary>
    private static async Task<List<double>> RawCityAllocationsAsync(BenchmarkContext context, int samples, SteadyFeed? feed)
    {
        var host = context.Host;
        await using var raw = await RawHubClient.ConnectAsync(host.Address, host.IocToken());
        List<double> allocated = [];
        var resynced = 0;
        for (var i = 0; i < samples; i++)
        {
            var feedRate = 0.0;
            if (feed is not null)
            {
                var (feedAllocated, feedStarted) = (GC.GetTotalAllocatedBytes(), Stopwatch.GetTimestamp());
                await Task.Delay(TimeSpan.FromSeconds(1));
                feedRate = (GC.GetTotalAllocatedBytes() - feedAllocated) / Stopwatch.GetElapsedTime(feedStarted).TotalSeconds;
            }
            var (before, started) = (GC.GetTotalAllocatedBytes(), Stopwatch.GetTimestamp());
            try
            {
                if (await raw.InvokeAsync("Subscribe", "city", WholeTimeout))
                {
                    allocated.Add(Math.Max(0, GC.GetTotalAllocatedBytes() - before - feedRate * Stopwatch.GetElapsedTime(started).TotalSeconds));
                }
                else
                {
                    // A snapshot cut short by a resync allocated less than a whole one: not a sample.
                    resynced++;
                }
                await raw.InvokeAsync("Unsubscribe", "city", WholeTimeout);
            }
            catch (TimeoutException timedOut)
            {
                context.Results.Note($"subscribe, raw city client{(feed is null ? "" : " under the feed")}: {timedOut.Message}; stopped after {i} calls");
                break;
            }
        }
        if (resynced > 0 || raw.Resyncs > 0)
        {
            context.Results.Note($"subscribe, raw city client{(feed is null ? "" : " under the feed")}: {resynced} of {samples} snapshots cut short by a resync ({raw.Resyncs} resyncs received)");
        }
        allocated.Sort();
        return allocated;
    }

    private static void ReportAllocation(BenchmarkContext context, string condition, List<double> allocated, int sensors)
    {
        if (allocated.Count == 0)
        {
            context.Results.Note($"allocated per subscribe, city, {condition}: no snapshot came whole");
            return;
        }
        context.Results.Add(new Figure(Name, $"allocated per subscribe, city ({sensors:N0} sensors), {condition}, median", LatencyBenchmark.Percentile(allocated, 0.50),
            Unit.Bytes, "max", allocated[^1]));
    }

    /// <summary>The key of the no-op hub call's times: a hub round trip on the same connection, the baseline.</summary>
    private const string RoundTrip = "no-op hub call";

    private static void Report(BenchmarkContext context, string condition, Dictionary<string, Measured> measured, string note)
    {
        var roundTrip = measured[RoundTrip].Times;
        foreach (var (scope, m) in measured.Where(m => m.Key != RoundTrip))
        {
            var label = $"{scope.Split(':')[0]} ({(m.Segments > 0 ? $"{m.Segments:N0} segments, " : "")}{m.Sensors:N0} sensors{(m.Parts > 0 ? $": answer and {m.Parts:N0} parts" : "")})";
            var p99 = LatencyBenchmark.Percentile(m.Times, 0.99);
            context.Results.Add(new Figure(Name, $"p50 to the answer, {label}, {condition}", LatencyBenchmark.Percentile(m.Times, 0.50), Unit.Milliseconds,
                $"{RoundTrip} p50", LatencyBenchmark.Percentile(roundTrip, 0.50)));
            context.Results.Add(new Figure(Name, $"p99 to the answer, {label}, {condition}", p99, Unit.Milliseconds, $"{RoundTrip} p99",
                LatencyBenchmark.Percentile(roundTrip, 0.99))
            {
                Target = $"< {TargetP99Milliseconds:N0} ms",
                Met = p99 < TargetP99Milliseconds,
            });
            // The scope whole: what a screen waits for before it may count on every sensor being there.
            if (m.Whole.Count == 0)
            {
                continue;
            }
            context.Results.Add(new Figure(Name, $"p50 to the last part, {label}, {condition}", LatencyBenchmark.Percentile(m.Whole, 0.50), Unit.Milliseconds,
                $"{RoundTrip} p50", LatencyBenchmark.Percentile(roundTrip, 0.50)));
            context.Results.Add(new Figure(Name, $"p99 to the last part, {label}, {condition}", LatencyBenchmark.Percentile(m.Whole, 0.99), Unit.Milliseconds,
                $"{RoundTrip} p99", LatencyBenchmark.Percentile(roundTrip, 0.99)));
        }
        var slowest = string.Join("; ", measured.Select(m => FormattableString.Invariant(
            $"{m.Key} p90 {LatencyBenchmark.Percentile(m.Value.Times, 0.90):N0} ms, max {m.Value.Times[^1]:N0} ms over {m.Value.Times.Count} calls{Incomplete(m.Value)}")));
        context.Results.Note($"subscribe {condition}: {slowest}{(note.Length > 0 ? "; " + note : "")}");
    }

    /// <summary>", n cut short by a resync, n timed out" for a scope whose snapshots did not all come whole; empty otherwise.</summary>
    private static string Incomplete(Measured measured) => measured.Incomplete.Count == 0 ? "" : ", " + string.Join(", ", measured.Incomplete.Select(
        i => i.Key == SnapshotOutcome.Resynced ? $"{i.Value} cut short by a resync" : $"{i.Value} not whole within {WholeTimeout.TotalSeconds:N0} s"));

    /// <summary>The <see cref="PacedFeed"/>, counting what it posted.</summary>
    private sealed class SteadyFeed(TwinHost host, CitySpec city, double readingsPerSecond)
    {
        private long _sent;
        private long _failed;

        public long Sent => Interlocked.Read(ref _sent);

        public long Failed => Interlocked.Read(ref _failed);

        public Task RunAsync(CancellationToken cancellationToken) =>
            PacedFeed.RunAsync(host, city, readingsPerSecond, (http, batch, _) => PostAsync(http, Readings.PooledJson(batch), batch.Count), cancellationToken);

        private async Task PostAsync(HttpClient http, PooledBody body, int count)
        {
            using var owned = body;
            using var content = body.Content();
            try
            {
                using var response = await http.PostAsync("/api/v1/readings", content);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref _sent, count);
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            Interlocked.Increment(ref _failed);
        }
    }
}
