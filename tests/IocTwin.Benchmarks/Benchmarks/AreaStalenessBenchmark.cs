using System.Globalization;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 8. Area tree staleness. A steady feed through POST /api/v1/readings across a city whose areas nest
/// (city → districts → wards); the staleness of the city root is, for every frame carrying the city that reaches a
/// twin observer in the API process, its arrival time − the newest reading time behind its KPIs
/// (<c>SensorsOnline.AsOf</c>, when that reading reached its sensor grain). The baseline is the same measurement, in
/// the same run, on the flat city of the same districts, segments and sensors, on a twin of its own. After each window
/// the feed stops and the run waits for the work queued behind it to drain: how long, and when the city root showed
/// the last reading, says whether the tree kept up or fell behind.
/// </summary>
public static class AreaStalenessBenchmark
{
    public const string Name = "areas";
    public const double TargetMilliseconds = 1_000;

    private sealed record Measured(double P50, double P99, TimeSpan? LastShown, Activation Activation);

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var tree = context.City;
        var flat = SyntheticCityGenerator.Generate(new SyntheticCityOptions(options.Districts, options.Segments, options.Sensors, Seed: 1));
        var treeName = string.Create(CultureInfo.InvariantCulture,
            $"tree of {tree.Districts.Count:N0} areas ({Levels(tree)} levels with the city)");
        var flatName = $"flat city of {flat.Districts.Count:N0} districts";

        var atTree = await MeasureAsync(context, context.Host, tree, treeName);

        // The flat city on a twin of its own, started once the first has stopped, so that the two never share the cores.
        Progress.Say($"{Name}: stopping the twin; starting a fresh one for the {flatName}");
        await BenchmarkProgram.StopAsync(context);
        var flatDatabase = Path.Combine(context.DataDirectory, "flat.db");
        context.Host = await TwinHost.StartAsync(flatDatabase, options.HostSettings);
        Measured atFlat;
        try
        {
            await IngestBenchmark.ImportAsync(context, context.Host, flat, flatDatabase, "import (flat city)");
            atFlat = await MeasureAsync(context, context.Host, flat, flatName);
        }
        finally
        {
            // Later benchmarks start their own twin on the run's database.
            await BenchmarkProgram.StopAsync(context);
        }

        const string measure = "city frame at the API process's twin observer − newest reading behind its KPIs";
        context.Results.Add(new Figure(Name, $"p50, {flatName}: {measure}", atFlat.P50, Unit.Milliseconds, "flat city p50", atFlat.P50));
        context.Results.Add(new Figure(Name, $"p99, {flatName}: {measure}", atFlat.P99, Unit.Milliseconds, "flat city p99", atFlat.P99));
        context.Results.Add(new Figure(Name, $"p50, {treeName}: {measure}", atTree.P50, Unit.Milliseconds, "flat city p50", atFlat.P50));
        context.Results.Add(new Figure(Name, $"p99, {treeName}: {measure}", atTree.P99, Unit.Milliseconds, "flat city p99", atFlat.P99)
        {
            Target = "< 1 s",
            Met = atTree.P99 < TargetMilliseconds,
        });
        context.Results.Add(new Figure(Name, $"{treeName}: cold activation, every imported sensor taking its first reading from the feed",
            atTree.Activation.SensorsPerSecond, Unit.PerSecond, "flat city", atFlat.Activation.SensorsPerSecond));
        context.Results.Add(new Figure(Name, $"{treeName}: the city root shows the last reading, after the feed stops",
            Milliseconds(atTree.LastShown), Unit.Milliseconds, "flat city", Milliseconds(atFlat.LastShown)));
    }

    private static async Task<Measured> MeasureAsync(BenchmarkContext context, TwinHost host, CitySpec city, string name)
    {
        var options = context.Options;
        var clock = TimeProvider.System;
        var observer = new CityFrameObserver(clock);
        var processId = Guid.NewGuid();
        var reference = host.Grains.CreateObjectReference<ITwinObserver>(observer);
        using var stopRenewal = new CancellationTokenSource();
        using var stopFeed = new CancellationTokenSource();
        var renewal = LatencyBenchmark.RenewAsync(host.Grains, processId, reference, stopRenewal.Token);
        // The feed's book watches no sensor: this benchmark follows the city, not single readings.
        var feed = new LatencyFeed(host, city, new ProbeBook([]), options.AreaFeedReadingsPerSecond);
        var coldStart = context.Counters.Take();
        var feeding = feed.RunAsync(stopFeed.Token);
        try
        {
            Progress.Say($"{Name}, {name}: feed of {options.AreaFeedReadingsPerSecond:N0} readings/s across {city.Sensors.Count:N0} sensors; " +
                         $"waiting up to {options.AreaActivationLimit.TotalMinutes:N0} min for every sensor to take a reading");
            // A city in operation has its sensors active: the import stored them without activating any, and the feed's
            // first sweep activates each (state row, catch-up with history). That is measured on its own, then the
            // warm-up and the window run on the city as it operates.
            var activation = await Activation.WaitAsync(context, host, city, coldStart, feed, options.AreaActivationLimit);
            context.Results.Note($"{Name}, {name}: {activation.Describe(city.Sensors.Count)}");
            Progress.Say($"{Name}, {name}: warming up for {options.AreaWarmup.TotalSeconds:N0} s");
            await observer.FirstFrame.WaitAsync(TimeSpan.FromSeconds(120));
            await Task.Delay(options.AreaWarmup);

            Progress.Say($"{Name}, {name}: measuring for {options.AreaWindow.TotalSeconds:N0} s");
            var before = context.Counters.Take();
            var sentBefore = feed.Sent;
            var from = clock.GetUtcNow();
            await Task.Delay(options.AreaWindow);
            var to = clock.GetUtcNow();
            var window = context.Counters.Take().Since(before);
            var sent = feed.Sent - sentBefore;
            var staleness = observer.StalenessBetween(from, to);
            staleness.Sort();
            var acknowledgements = feed.TakeAckMilliseconds();

            // The backlog: stop the feed, let the queued work drain, and see when the city root showed the last reading.
            await stopFeed.CancelAsync();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
            var stopped = clock.GetUtcNow();
            var drain = await Quiet.WaitAsync(context.Counters, options.AreaDrainLimit);
            var newest = (await host.Grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get()).Kpis.SensorsOnline.AsOf;
            var shownAt = newest is { } asOf ? observer.FirstShowing(asOf) : null;
            var lastShown = shownAt - stopped;

            var measured = new Measured(LatencyBenchmark.Percentile(staleness, 0.5), LatencyBenchmark.Percentile(staleness, 0.99), lastShown, activation);
            var seconds = window.Elapsed.TotalSeconds;
            context.Results.Note(string.Create(CultureInfo.InvariantCulture,
                $"{Name}, {name} ({city.Segments.Count:N0} segments, {city.Sensors.Count:N0} sensors): {staleness.Count:N0} city frames in {seconds:N1} s, " +
                $"staleness p50 {measured.P50:N0} ms / p99 {measured.P99:N0} ms / max {(staleness.Count == 0 ? double.NaN : staleness[^1]):N0} ms; " +
                $"feed {sent / seconds:N0} readings/s ({feed.Failed} failed posts so far), POST {acknowledgements}; {window.Describe(sent, "reading")}, " +
                $"CPU {window.CpuMicrosecondsPer(sent):N1} µs per applied reading; " +
                $"after the window the work queued behind the feed took {drain.TotalSeconds:N1} s to drain{(drain >= options.AreaDrainLimit ? " (NOT DRAINED: the run stopped waiting)" : "")}, " +
                $"and the city root showed the last reading {(lastShown is { } shown ? $"{shown.TotalSeconds:N1} s" : "NEVER")} after the feed stopped."));
            return measured;
        }
        finally
        {
            await stopFeed.CancelAsync();
            await stopRenewal.CancelAsync();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
            await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            await host.Grains.GetGrain<ITwinObserverRegistry>(0).Unregister(processId);
        }
    }

    /// <summary>Levels of the tree counting the city: 2 for districts under the city, 3 with wards inside them.</summary>
    private static int Levels(CitySpec city)
    {
        var parents = city.Districts.ToDictionary(d => d.Id, d => d.ParentId, StringComparer.Ordinal);
        int Depth(string? id) => id is null ? 1 : 1 + Depth(parents.GetValueOrDefault(id));
        return city.Districts.Max(d => Depth(d.Id));
    }

    private static double Milliseconds(TimeSpan? span) => span is { } s ? s.TotalMilliseconds : double.NaN;
}
