using System.Diagnostics;
using IocTwin.Api.Ingest;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 4. Memory per live sensor grain, on a twin freshly started from the stored city (once its API process has read
/// every area, which activates every sensor, every grain is deactivated): every district and segment is activated
/// first, then N registered sensors each get one reading through the ingest path
/// (activation loads the sensor's state from SQLite; the reading rolls up and is written behind). The managed heap
/// after a full, compacting collection grows by the figure times N. The baseline is the same for N activations of a
/// no-op grain. The process working set is reported beside it; it also holds native memory (SQLite, sockets) and
/// whatever the garbage collector keeps committed.
/// </summary>
public static class MemoryBenchmark
{
    public const string Name = "memory";
    public const double TargetBytes = 4 * 1024;

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var host = context.Host;
        var grains = host.Grains;
        var ingest = host.Get<IngestService>();
        var city = context.City;
        var readings = Readings.OnePerSensor(city, DateTimeOffset.UtcNow.AddSeconds(-1), seed: 23);
        var warmup = readings.Take(options.MemoryWarmupSensors).ToList();
        var measured = readings.Skip(options.MemoryWarmupSensors).ToList();
        var n = measured.Count;

        // The API process reads every area, activating every sensor, once it hears the live updates: let it, then let the
        // silo deactivate everything, so that the sensors below are activated by their readings.
        await host.WaitForHeldStateAsync(TimeSpan.FromMinutes(5));
        await DeactivateEverythingAsync(grains, TimeSpan.FromMinutes(3));
        Progress.Say($"memory: activating {city.Districts.Count:N0} districts, {city.Segments.Count:N0} segments and warming up");
        await Task.WhenAll(city.Districts.Select(d => grains.GetGrain<IDistrictGrain>(d.Id).Get()));
        foreach (var chunk in city.Segments.Chunk(5_000))
        {
            await Task.WhenAll(chunk.Select(s => grains.GetGrain<IRoadSegmentGrain>(s.Id).Get()));
        }
        await IngestAllAsync(ingest, warmup, options.BatchSize);
        await ActivateNoopAsync(grains, "noop-mem-warm", options.MemoryWarmupSensors);
        await SettleAsync(context.Counters, options.MemorySettle);

        Progress.Say($"memory: {n:N0} no-op activations");
        var before = Measure();
        await ActivateNoopAsync(grains, "noop-mem", n);
        await SettleAsync(context.Counters, options.MemorySettle);
        var after = Measure();
        var noopManaged = (after.Managed - before.Managed) / (double)n;
        var noopWorkingSet = (after.WorkingSet - before.WorkingSet) / (double)n;

        Progress.Say($"memory: {n:N0} sensor grains, one reading each");
        before = Measure();
        await IngestAllAsync(ingest, measured, options.BatchSize);
        await SettleAsync(context.Counters, options.MemorySettle);
        after = Measure();
        var sensorManaged = (after.Managed - before.Managed) / (double)n;
        var sensorWorkingSet = (after.WorkingSet - before.WorkingSet) / (double)n;

        context.Results.Add(new Figure(Name, $"managed heap per no-op grain activation ({n:N0})", noopManaged, Unit.Bytes, "itself", noopManaged));
        context.Results.Add(new Figure(Name, $"managed heap per live sensor grain ({n:N0}, one reading each)", sensorManaged, Unit.Bytes,
            "no-op activation", noopManaged)
        {
            Target = "< 4 KB",
            Met = sensorManaged < TargetBytes,
        });
        // The working set also moves with what the server GC keeps committed: a rough second opinion, not the target.
        context.Results.Add(new Figure(Name, $"process working set per no-op grain activation", noopWorkingSet, Unit.Bytes, "itself", noopWorkingSet));
        context.Results.Add(new Figure(Name, $"process working set per live sensor grain", sensorWorkingSet, Unit.Bytes, "no-op activation", noopWorkingSet));
        context.Results.Note($"memory: managed heap {after.Managed / 1048576.0:N0} MB and working set {after.WorkingSet / 1048576.0:N0} MB " +
                             $"with {city.Districts.Count + city.Segments.Count + n + options.MemoryWarmupSensors:N0} twin grains and " +
                             $"{n + options.MemoryWarmupSensors:N0} no-op grains active.");
    }

    private static async Task IngestAllAsync(IngestService ingest, List<(string SensorId, Model.Reading Reading)> readings, int batchSize)
    {
        foreach (var batch in Readings.Batches(readings, batchSize))
        {
            var result = await ingest.IngestAsync(batch, []);
            if (result.Accepted != batch.Count)
            {
                throw new InvalidOperationException($"{batch.Count - result.Accepted} readings rejected");
            }
        }
    }

    private static async Task ActivateNoopAsync(IGrainFactory grains, string prefix, int count)
    {
        foreach (var chunk in Enumerable.Range(0, count).Chunk(5_000))
        {
            await Task.WhenAll(chunk.Select(i => grains.GetGrain<INoopGrain>($"{prefix}-{i:D7}").Ping()));
        }
    }

    /// <summary>Sensor grains active in the silo (a statistic's type reads "IocTwin.Grains.SensorGrain,IocTwin.Grains").</summary>
    private static async Task<int> SensorActivationsAsync(IGrainFactory grains) =>
        (await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics())
        .Where(s => s.GrainType.Contains("." + nameof(IocTwin.Grains.SensorGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);

    /// <summary>Deactivates every idle grain of the silo and waits until no sensor grain is active.</summary>
    internal static async Task DeactivateEverythingAsync(IGrainFactory grains, TimeSpan limit)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            var sensors = await SensorActivationsAsync(grains);
            if (sensors == 0)
            {
                return;
            }
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"{sensors:N0} sensor grains still active after {limit}");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>Rollups and the checkpoints queued by the readings run after them; wait for them to be done.</summary>
    private static async Task SettleAsync(Counters counters, TimeSpan delay)
    {
        await Task.Delay(delay);
        await Quiet.WaitAsync(counters, TimeSpan.FromSeconds(120));
    }

    /// <summary>Managed heap and working set after full, compacting collections.</summary>
    internal static (long Managed, long WorkingSet) Measure()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (managed, process.WorkingSet64);
    }
}
