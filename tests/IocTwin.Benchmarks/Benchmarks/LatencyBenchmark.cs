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
/// (<see cref="ProbeObserver"/>). The feed is <see cref="LatencyFeed"/>, the screens <see cref="NodeScreens"/>.
/// </summary>
public static class LatencyBenchmark
{
    public const string Name = "latency";

    /// <summary>Reading → screen p99 with this many screens while the feed runs (issue #18, target 6).</summary>
    public const double TargetMilliseconds = 300;
    public const int TargetScreens = 1_000;

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

        // The screens' process first: a twin fed and observed must not be left so when it cannot start.
        await using var screensProcess = await NodeScreens.StartAsync(host.Address, host.IocToken(), watchedSensors);
        var observer = new ProbeObserver(book, watchedSet);
        var processId = Guid.NewGuid();
        var reference = host.Grains.CreateObjectReference<ITwinObserver>(observer);
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(host.Grains, processId, reference, stop.Token);

        var feed = new LatencyFeed(host, city, book, options.FeedReadingsPerSecond);
        var feeding = feed.RunAsync(stop.Token);
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
                var connect = await ConnectAsync(screensProcess, screens, watched);
                await Task.Delay(options.LatencyWarmup);

                await screensProcess.RecordAsync();
                var before = context.Counters.Take();
                var sentBefore = feed.Sent;
                // The note's POST times are the window's, not those of the warm-up (sensors activating, screens connecting).
                feed.ForgetAckMilliseconds();
                book.StartRound();
                await Task.Delay(options.LatencyWindow);
                var probes = book.EndRound();
                var window = context.Counters.Take().Since(before);
                var feedRate = (feed.Sent - sentBefore) / window.Elapsed.TotalSeconds;
                // Let the last readings of the round reach the screens.
                await Task.Delay(options.LatencyGrace);

                var atObserver = LatencySummary.Of(probes, [observer]);
                var atScreens = LatencySummary.Of(probes, await screensProcess.TakeAsync(probes, book.SentAfterRound()));
                var unseen = await DescribeUnseenAsync(host, probes, atObserver.SeenProbes);
                var label = screens switch
                {
                    0 => "0 screens: reading → API process's twin observer",
                    1 => "1 screen: reading → SignalR frame",
                    _ when screensProcess.Count < screens => $"{screens:N0} screens ({screensProcess.Count:N0} connected): reading → SignalR frame",
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
                var resyncs = screensProcess.Resyncs - resyncsBefore;
                resyncsBefore += resyncs;
                var delivery = screens == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"{result.Delivered:P1} of {result.Expected:N0} expected frame arrivals seen, {result.Frames:N0} frames of {screensProcess.DeltaBytes / (double)Math.Max(1, result.Frames) / 1024:N1} KB on average, {resyncs} resyncs; " +
                    $"{connect}; the screens are SignalR connections of one Node process that pick the sensors out of each delta without parsing the rest of it, sharing the 2 cores with the twin (its event loop late {screensProcess.LoopDelay}); ");
                context.Results.Note(string.Create(CultureInfo.InvariantCulture,
                    $"{name} with {screens:N0} screen{(screens == 1 ? "" : "s")}: {probes.Count:N0} readings of watched sensors, {delivery}" +
                    $"at the twin observer p50 {atObserver.P50:N0} ms / p99 {atObserver.P99:N0} ms ({atObserver.Delivered:P1} seen{unseen}); " +
                    $"feed {feedRate:N0} readings/s ({feed.Failed} failed and {feed.Refused} refused (429) posts so far), POST {feed.TakeAckMilliseconds()}; {window.Describe(probes.Count, "watched reading")}"));
            }
        }
        finally
        {
            stop.Cancel();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
            await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            await host.Grains.GetGrain<ITwinObserverRegistry>(0).Unregister(processId);
        }
    }

    /// <summary>
    /// Connects and subscribes screens up to <paramref name="count"/>, spread over <paramref name="districts"/>, 16 at a
    /// time. The step is bounded: a screen not subscribed within 60 s is counted as failed and let go, and screens not
    /// started within 5 minutes are not tried; what happened is returned for the row's note.
    /// </summary>
    private static async Task<string> ConnectAsync(NodeScreens screens, int count, string[] districts)
    {
        if (screens.Count >= count)
        {
            return $"{screens.Count:N0} screens connected";
        }
        Progress.Say($"latency: connecting screens {screens.Count + 1:N0}..{count:N0}");
        var outcome = await screens.ConnectAsync([.. Enumerable.Range(screens.Count, count - screens.Count).Select(i => districts[i % districts.Length])]);
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
