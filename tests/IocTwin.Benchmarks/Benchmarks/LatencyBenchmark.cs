using System.Diagnostics;
using System.Globalization;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 3. Reading-to-screen latency. A steady feed posts readings across the whole synthetic city through
/// POST /api/v1/readings; screens (SignalR clients of /hubs/twin) are spread evenly over a few <c>district:{id}</c>
/// scopes. For every reading of a sensor in one of those districts, the latency is the time from the POST being
/// acknowledged to the first delta frame carrying that sensor's new reading count at each screen of its district.
/// The baseline is the same path without screens: acknowledgement to the update reaching the API process's twin
/// observer (the end of the grain rollup, where the SignalR fan-out begins), measured by a second observer
/// (<see cref="ProbeObserver"/>). The feed is <see cref="LatencyFeed"/>, the screens <see cref="ScreenClient"/>.
/// </summary>
public static class LatencyBenchmark
{
    public const string Name = "latency";

    /// <summary>Reading → screen p99 with this many screens while the feed runs (issue #18, target 6).</summary>
    public const double TargetMilliseconds = 300;
    public const int TargetScreens = 1_000;

    /// <summary>How long one screen may take to connect and have its Subscribe answered before it is counted as failed.</summary>
    private static readonly TimeSpan ScreenConnectLimit = TimeSpan.FromSeconds(60);

    /// <summary>How long one step may spend connecting screens; those not started by then are counted as not tried.</summary>
    private static readonly TimeSpan ConnectStepLimit = TimeSpan.FromMinutes(5);

    /// <summary>Takes the row, its figures named <paramref name="name"/> (another row's, when it runs on another topology).</summary>
    public static async Task RunAsync(BenchmarkContext context, string name = Name)
    {
        var options = context.Options;
        var host = context.Host;
        var city = context.City;

        // Districts watched by screens, spread over the city.
        var step = Math.Max(1, city.Districts.Count / options.ScopeDistricts);
        var watched = city.Districts.Where((_, i) => i % step == 0).Take(options.ScopeDistricts).Select(d => d.Id).ToArray();
        var watchedSet = watched.ToHashSet(StringComparer.Ordinal);

        // Reading counts of the watched sensors now: the feed knows the count each of its readings makes.
        var watchedSensors = city.Sensors.Where(s => watchedSet.Contains(s.DistrictId)).Select(s => s.Id).ToArray();
        var counts = await Task.WhenAll(watchedSensors.Select(id => host.Grains.GetGrain<ISensorGrain>(id).Get()));
        var book = new ProbeBook(watchedSensors.Zip(counts, (id, view) => (id, view!.ReadingCount)));

        var observer = new ProbeObserver(book, watchedSet);
        var processId = Guid.NewGuid();
        var reference = host.Grains.CreateObjectReference<ITwinObserver>(observer);
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(host.Grains, processId, reference, stop.Token);

        var feed = new LatencyFeed(host, city, book, options.FeedReadingsPerSecond);
        var feeding = feed.RunAsync(stop.Token);
        var clients = new List<ScreenClient>();
        try
        {
            Progress.Say($"latency: feed of {options.FeedReadingsPerSecond:N0} readings/s across {city.Sensors.Count:N0} sensors; " +
                         $"screens on {watched.Length} district scopes ({watchedSensors.Length:N0} sensors)");
            // The publisher picks up new observers within a few seconds; write-behind of the fed sensors starts after
            // PersistDelay and takes a while to settle.
            await observer.FirstUpdate.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(options.LatencyFeedWarmup);

            (double P50, double P99)? baseline = null;
            var resyncsBefore = 0;
            foreach (var screens in new[] { 0 }.Concat(options.ClientSteps))
            {
                var connect = await ConnectAsync(host, book, clients, screens, watched);
                await Task.Delay(options.LatencyWarmup);

                var before = context.Counters.Take();
                var sentBefore = feed.Sent;
                book.StartRound();
                await Task.Delay(options.LatencyWindow);
                var probes = book.EndRound();
                var window = context.Counters.Take().Since(before);
                var feedRate = (feed.Sent - sentBefore) / window.Elapsed.TotalSeconds;
                // Let the last readings of the round reach the screens.
                await Task.Delay(options.LatencyGrace);

                var atObserver = LatencySummary.Of(probes, [observer]);
                var atScreens = LatencySummary.Of(probes, [.. clients]);
                var unseen = await DescribeUnseenAsync(host, probes, atObserver.SeenProbes);
                var label = screens switch
                {
                    0 => "0 screens: reading → API process's twin observer",
                    1 => "1 screen: reading → SignalR frame",
                    _ when clients.Count < screens => $"{screens:N0} screens ({clients.Count:N0} connected): reading → SignalR frame",
                    _ => $"{screens:N0} screens: reading → SignalR frame",
                };
                var result = screens == 0 ? atObserver : atScreens;
                baseline ??= (result.P50, result.P99);
                var baselineName = "0 screens";
                context.Results.Add(new Figure(name, $"p50, {label}", result.P50, Unit.Milliseconds, baselineName, baseline.Value.P50));
                context.Results.Add(new Figure(name, $"p99, {label}", result.P99, Unit.Milliseconds, baselineName, baseline.Value.P99)
                {
                    Target = screens == TargetScreens ? $"< {TargetMilliseconds:N0} ms at {options.FeedReadingsPerSecond:N0} readings/s" : null,
                    Met = screens == TargetScreens ? result.P99 < TargetMilliseconds : null,
                });
                var resyncs = clients.Sum(c => c.Resyncs) - resyncsBefore;
                resyncsBefore += resyncs;
                var delivery = screens == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"{result.Delivered:P1} of {result.Expected:N0} expected frame arrivals seen, {result.Frames:N0} frames, {resyncs} resyncs; " +
                    $"{connect}; the screens are JSON clients in this process, so their parsing shares its 2 cores with the twin and counts in the time; ");
                context.Results.Note(string.Create(CultureInfo.InvariantCulture,
                    $"{name} with {screens:N0} screen{(screens == 1 ? "" : "s")}: {probes.Count:N0} readings of watched sensors, {delivery}" +
                    $"at the twin observer p50 {atObserver.P50:N0} ms / p99 {atObserver.P99:N0} ms ({atObserver.Delivered:P1} seen{unseen}); " +
                    $"feed {feedRate:N0} readings/s ({feed.Failed} failed and {feed.Refused} refused (429) posts so far), POST {feed.TakeAckMilliseconds()}; {window.Describe(probes.Count, "watched reading")}"));
            }
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
            await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            await host.Grains.GetGrain<ITwinObserverRegistry>(0).Unregister(processId);
        }
    }

    /// <summary>
    /// Connects and subscribes screens up to <paramref name="count"/>, 16 at a time. The step is bounded: a screen not
    /// subscribed within <see cref="ScreenConnectLimit"/> is counted as failed and let go, and screens not started
    /// within <see cref="ConnectStepLimit"/> are not tried; what happened is returned for the row's note.
    /// </summary>
    private static async Task<string> ConnectAsync(TwinHost host, ProbeBook book, List<ScreenClient> clients, int count, string[] districts)
    {
        if (clients.Count >= count)
        {
            return $"{clients.Count:N0} screens connected";
        }
        Progress.Say($"latency: connecting screens {clients.Count + 1:N0}..{count:N0}");
        var token = host.IocToken();
        var url = new Uri(host.Address, "/hubs/twin");
        var started = Stopwatch.GetTimestamp();
        var added = Enumerable.Range(clients.Count, count - clients.Count)
            .Select(i => new ScreenClient(url, token, $"district:{districts[i % districts.Length]}", districts[i % districts.Length], book))
            .ToList();
        var subscribed = new System.Collections.Concurrent.ConcurrentBag<ScreenClient>();
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var connectTimes = new System.Collections.Concurrent.ConcurrentBag<double>();
        using var stepLimit = new CancellationTokenSource(ConnectStepLimit);
        try
        {
            await Parallel.ForEachAsync(added, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stepLimit.Token }, async (client, _) =>
            {
                using var screenLimit = new CancellationTokenSource(ScreenConnectLimit);
                var screenStarted = Stopwatch.GetTimestamp();
                try
                {
                    await client.StartAsync(screenLimit.Token);
                    connectTimes.Add(Stopwatch.GetElapsedTime(screenStarted).TotalMilliseconds);
                    subscribed.Add(client);
                }
                catch (Exception ex)
                {
                    var reason = screenLimit.IsCancellationRequested ? $"not subscribed within {ScreenConnectLimit.TotalSeconds:N0} s" : ex.GetType().Name;
                    failures.AddOrUpdate(reason, 1, (_, n) => n + 1);
                    await client.DisposeAsync();
                }
            });
        }
        catch (OperationCanceledException) when (stepLimit.IsCancellationRequested)
        {
        }
        var untried = added.Except(subscribed).Where(c => !c.Tried).ToList();
        await Task.WhenAll(untried.Select(c => c.DisposeAsync().AsTask()));
        clients.AddRange(added.Where(subscribed.Contains));
        var times = connectTimes.Order().ToList();
        var outcome = FormattableString.Invariant(
            $"screens {count - added.Count + 1:N0}..{count:N0}: {subscribed.Count:N0} subscribed in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s ") +
            FormattableString.Invariant($"(connect + Subscribe p50 {Percentile(times, 0.5):N0} ms / p99 {Percentile(times, 0.99):N0} ms)") +
            string.Concat(failures.Select(f => FormattableString.Invariant($", {f.Value:N0} failed ({f.Key})"))) +
            (untried.Count > 0 ? FormattableString.Invariant($", {untried.Count:N0} not tried within the step's {ConnectStepLimit.TotalMinutes:N0} min") : "");
        Progress.Say($"latency: {outcome}");
        return outcome;
    }

    /// <summary>Registers a twin observer and registers it again every 5 s, as the API process does, until cancelled.</summary>
    internal static async Task RenewAsync(IGrainFactory grains, Guid processId, ITwinObserver reference, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            await grains.GetGrain<ITwinObserverRegistry>(0).Register(processId, reference);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }


    /// <summary>
    /// Where the readings the observer did not see stand: acknowledged or not, and whether their sensor grain has
    /// counted them — which tells a reading the twin did not apply from an update that did not travel.
    /// </summary>
    private static async Task<string> DescribeUnseenAsync(TwinHost host, IReadOnlyList<Probe> probes, HashSet<int> seen)
    {
        var unseen = Enumerable.Range(0, probes.Count).Where(i => !seen.Contains(i) && !probes[i].Refused).Select(i => probes[i]).ToList();
        if (unseen.Count == 0)
        {
            return "";
        }
        var views = await Task.WhenAll(unseen.Select(p => host.Grains.GetGrain<ISensorGrain>(p.SensorId).Get()));
        var counted = unseen.Zip(views).Count(pair => pair.Second?.ReadingCount >= pair.First.Count);
        var acknowledged = unseen.Count(p => p.Acknowledged is not null);
        return string.Create(CultureInfo.InvariantCulture,
            $"; not seen {unseen.Count:N0}: {acknowledged:N0} acknowledged, {counted:N0} counted by their sensor grain");
    }

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
