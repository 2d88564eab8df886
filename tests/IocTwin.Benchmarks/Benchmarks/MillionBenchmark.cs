using System.Diagnostics;
using IocTwin.Api.Ingest;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 9. A million sensors in one silo (only when named: <c>--only=million</c>): the run's city (1,000 districts,
/// 200,000 segments, 1,000,000 sensors when alone) imported through <c>POST /api/v1/import</c>; the twin stopped and
/// started again on the same database; the time until every district answers with its KPIs, and until the API process
/// is ready (it reads every area, activating every sensor); then, every grain deactivated and the districts active
/// again, one reading for every sensor through the ingest path (each sensor activated from its stored row), its
/// acknowledged rate, and the managed heap per live sensor once all of them are live; then the feed across the live city
/// (the ingest row's measure: acknowledged and live rates).
/// </summary>
public static class MillionBenchmark
{
    public const string Name = "million";
    public static readonly (int Districts, int Segments, int Sensors) City = (1_000, 200_000, 1_000_000);

    public static async Task RunAsync(BenchmarkContext context)
    {
        var city = context.City;
        await IngestBenchmark.ImportAsync(context, context.Host, city, context.DatabaseFile, $"{Name}: import");

        Progress.Say($"{Name}: stopping the twin; starting a fresh one on the same database");
        await BenchmarkProgram.StopAsync(context);
        context.Host = await TwinHost.StartAsync(context.DatabaseFile, context.Options.HostSettings);
        var grains = context.Host.Grains;
        var started = Stopwatch.GetTimestamp();
        var districts = await Task.WhenAll(city.Districts.Select(d => grains.GetGrain<IDistrictGrain>(d.Id).Get()));
        var live = Stopwatch.GetElapsedTime(started);
        var missing = districts.Count(d => d is null);
        context.Results.Add(new Figure(Name, $"every district's KPIs live after a restart ({city.Districts.Count:N0} districts)",
            live.TotalSeconds, Unit.Seconds, "none", double.NaN) { Target = "< 60 s", Met = live.TotalSeconds < 60 && missing == 0 });
        if (missing > 0)
        {
            context.Results.Note($"{Name}: {missing:N0} districts did not answer after the restart");
        }

        // The API process reads every area, activating every sensor, before it reports ready: timed, then every grain is
        // deactivated so that each reading below activates its sensor from its stored row, as after a cold start.
        await context.Host.WaitForHeldStateAsync(TimeSpan.FromMinutes(30));
        var ready = Stopwatch.GetElapsedTime(started);
        context.Results.Add(new Figure(Name, "API process ready after the restart (its held state read: every area, every sensor activated)",
            ready.TotalSeconds, Unit.Seconds, "none", double.NaN));
        await MemoryBenchmark.DeactivateEverythingAsync(grains, TimeSpan.FromMinutes(10));
        await Task.WhenAll(city.Districts.Select(d => grains.GetGrain<IDistrictGrain>(d.Id).Get()));
        var before = MemoryBenchmark.Measure().Managed;
        var readings = Readings.OnePerSensor(city, DateTimeOffset.UtcNow.AddSeconds(-1), seed: 31);
        var ingest = context.Host.Get<IngestService>();
        var window = context.Counters.Take();
        Progress.Say($"{Name}: one reading for each of {readings.Count:N0} sensors");
        foreach (var batch in Readings.Batches(readings, context.Options.BatchSize))
        {
            var result = await ingest.IngestAsync(batch, []);
            if (result.Accepted != batch.Count)
            {
                throw new InvalidOperationException($"{batch.Count - result.Accepted} readings rejected");
            }
        }
        var fed = context.Counters.Take().Since(window);
        // The catch-up after a cold start, bounded by activating each sensor from its row; the feed's rate is below.
        context.Results.Add(new Figure(Name, $"readings acknowledged/s, each to a sensor not yet active ({readings.Count:N0})",
            readings.Count / fed.Elapsed.TotalSeconds, Unit.PerSecond, "baseline calls", context.BaselineCallRate));
        context.Results.Note($"{Name}: ingest across the city took {fed.Elapsed.TotalSeconds:N1} s: {fed.Describe(readings.Count, "reading")}");

        await Task.Delay(TimeSpan.FromSeconds(5));
        await Quiet.WaitAsync(context.Counters, TimeSpan.FromSeconds(300));
        var after = MemoryBenchmark.Measure().Managed;
        var perSensor = (after - before) / (double)readings.Count;
        context.Results.Add(new Figure(Name, $"managed heap per live sensor ({readings.Count:N0} live, their segments and districts too)",
            perSensor, Unit.Bytes, "none", double.NaN) { Target = "< 3 KB", Met = perSensor < 3 * 1024 });
        context.Results.Note($"{Name}: managed heap {before / 1048576.0:N0} MB with the districts live, {after / 1048576.0:N0} MB with every sensor live");

        // The city's feed once every sensor is live: one reading for each sensor per sweep, for the ingest row's
        // warm-up and window, and how many per second the twin acknowledges and keeps up with (in the city's KPIs).
        var feed = Readings.Batches(Readings.OnePerSensor(city, DateTimeOffset.UtcNow, seed: 37), context.Options.BatchSize);
        await IngestBenchmark.GrainLevelAsync(context, feed, "grain level (IngestService), every sensor live",
            $"batches of {context.Options.BatchSize:N0} sweeping {city.Sensors.Count:N0} sensors",
            new IngestRow(Name, "baseline calls", context.BaselineCallRate, AcknowledgedTargetRatio: null, IngestBenchmark.TargetRate));
    }
}
