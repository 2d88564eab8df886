using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace IocTwin.Benchmarks.Harness;

/// <summary>
/// Profiler-free view of where a window's time went: process CPU, garbage collection, and Orleans' own meters
/// (grain requests, messages, storage reads and writes with their latency).
/// </summary>
public sealed class Counters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Aggregate> _instruments = new();

    private sealed class Aggregate
    {
        public long Count;
        public double Sum;

        public void Add(double value)
        {
            Interlocked.Increment(ref Count);
            lock (this)
            {
                Sum += value;
            }
        }
    }

    public Counters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && Watched(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument, _instruments.GetOrAdd(instrument.Name, _ => new Aggregate()));
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, state) => ((Aggregate)state!).Add(value));
        _listener.SetMeasurementEventCallback<float>((_, value, _, state) => ((Aggregate)state!).Add(value));
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => ((Aggregate)state!).Add(value));
        _listener.SetMeasurementEventCallback<int>((_, value, _, state) => ((Aggregate)state!).Add(value));
        _listener.Start();
    }

    // Cheap, informative instruments only: each enabled instrument costs a callback per event.
    private static bool Watched(string name) => name is
        "orleans-storage-write-latency" or "orleans-storage-read-latency" or "orleans-storage-write-errors" or
        "orleans-app-requests-latency" or "orleans-catalog-activation-created";

    public Snapshot Take()
    {
        var process = Process.GetCurrentProcess();
        var values = _instruments.ToDictionary(p => p.Key, p => (Interlocked.Read(ref p.Value.Count), p.Value.Sum));
        return new Snapshot(
            Stopwatch.GetTimestamp(), process.TotalProcessorTime, MachineBusy(), GC.GetTotalAllocatedBytes(precise: false),
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), values);
    }

    /// <summary>CPU time all processes of the machine have used (Linux /proc/stat); null elsewhere.</summary>
    private static TimeSpan? MachineBusy()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
            var ticks = cpu.Skip(1).Select(long.Parse).ToArray();
            var busy = ticks.Sum() - ticks[3] - ticks[4];
            return TimeSpan.FromSeconds(busy / 100.0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public void Dispose() => _listener.Dispose();

    public sealed record Snapshot(
        long Timestamp, TimeSpan Cpu, TimeSpan? MachineBusy, long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan GcPause,
        Dictionary<string, (long Count, double Sum)> Instruments)
    {
        public Window Since(Snapshot start) => new(start, this);
    }

    /// <summary>What happened between two snapshots.</summary>
    public sealed record Window(Snapshot Start, Snapshot End)
    {
        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Start.Timestamp, End.Timestamp);

        public double CoresBusy => (End.Cpu - Start.Cpu).TotalSeconds / Elapsed.TotalSeconds;

        /// <summary>Cores other processes of the machine kept busy meanwhile; NaN when unknown.</summary>
        public double OtherCoresBusy => End.MachineBusy is { } end && Start.MachineBusy is { } start
            ? Math.Max(0, (end - start).TotalSeconds / Elapsed.TotalSeconds - CoresBusy)
            : double.NaN;

        public long Allocated => End.Allocated - Start.Allocated;

        /// <summary>Process CPU time per unit of work, in microseconds: unlike a rate, it holds on a machine others load.</summary>
        public double CpuMicrosecondsPer(double units) => (End.Cpu - Start.Cpu).TotalMicroseconds / Math.Max(1, units);

        /// <summary>Bytes allocated per unit of work.</summary>
        public double AllocatedPer(double units) => Allocated / Math.Max(1, units);

        public double GcPauseShare => (End.GcPause - Start.GcPause).TotalSeconds / Elapsed.TotalSeconds;

        public (long Count, double Sum) Instrument(string name)
        {
            var end = End.Instruments.GetValueOrDefault(name);
            var start = Start.Instruments.GetValueOrDefault(name);
            return (end.Count - start.Count, end.Sum - start.Sum);
        }

        /// <summary>One line for the report: CPU, GC and Orleans activity per unit of work (e.g. per reading).</summary>
        public string Describe(double units, string unitName)
        {
            var seconds = Elapsed.TotalSeconds;
            var requests = Instrument("orleans-app-requests-latency");
            var writes = Instrument("orleans-storage-write-latency");
            var reads = Instrument("orleans-storage-read-latency");
            var writeErrors = Instrument("orleans-storage-write-errors").Count;
            var activations = Instrument("orleans-catalog-activation-created").Count;
            var c = CultureInfo.InvariantCulture;
            return string.Create(c,
                $"CPU {CoresBusy:0.00} of {Environment.ProcessorCount} cores (other processes {OtherCoresBusy:0.00}); GC: {Allocated / Math.Max(1, units):N0} B allocated per {unitName}, " +
                $"gen0/1/2 {End.Gen0 - Start.Gen0}/{End.Gen1 - Start.Gen1}/{End.Gen2 - Start.Gen2}, paused {GcPauseShare:P1} of the time; " +
                $"Orleans: {requests.Count / seconds:N0} grain requests/s ({requests.Count / Math.Max(1, units):0.00} per {unitName}, mean {(requests.Count == 0 ? 0 : requests.Sum / requests.Count):0.0} ms), " +
                $"storage writes {writes.Count / seconds:N0}/s (mean {(writes.Count == 0 ? 0 : writes.Sum / writes.Count):0.0} ms" +
                $"{(writeErrors > 0 ? $", {writeErrors} failed" : "")}), reads {reads.Count / seconds:N0}/s, activations {activations}");
        }
    }
}

/// <summary>Waits for work queued behind a measured path (rollups, write-behind) to drain.</summary>
public static class Quiet
{
    /// <summary>
    /// Returns once the twin has used under a fifth of a core and activated no grain for two seconds in a row, or after
    /// <paramref name="max"/>; the time it took. Storage writes alone do not count as busy: checkpoints of live values
    /// are spread over <c>Twin:PersistDelay</c> by design; a backlog of them shows as the writer's CPU. Activations do:
    /// on a machine other work keeps busy the process may get under a fifth of a core while it still activates grains
    /// (the held state reading an imported city), and a window started then would measure that work as its own.
    /// </summary>
    /// <remarks>With <paramref name="otherProcessesCpu"/> (the CPU time the twin's other processes have used so far), they too must use under a fifth of a core.</remarks>
    public static async Task<TimeSpan> WaitAsync(Counters counters, TimeSpan max, Func<TimeSpan>? otherProcessesCpu = null)
    {
        var started = Stopwatch.GetTimestamp();
        var quietSeconds = 0;
        while (Stopwatch.GetElapsedTime(started) < max)
        {
            var before = counters.Take();
            var othersBefore = otherProcessesCpu?.Invoke();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var window = counters.Take().Since(before);
            var othersBusy = (otherProcessesCpu?.Invoke() - othersBefore)?.TotalSeconds / window.Elapsed.TotalSeconds ?? 0;
            var idle = window.CoresBusy < 0.2 && othersBusy < 0.2 && window.Instrument("orleans-catalog-activation-created").Count == 0;
            quietSeconds = idle ? quietSeconds + 1 : 0;
            if (quietSeconds >= 2)
            {
                return Stopwatch.GetElapsedTime(started) - TimeSpan.FromSeconds(2);
            }
        }
        return Stopwatch.GetElapsedTime(started);
    }
}
