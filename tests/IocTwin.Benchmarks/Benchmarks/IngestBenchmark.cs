using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Ingest;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 2. Ingest rate into the synthetic city with persistence on, through the real ingest path: the grain level
/// (<see cref="IngestService"/>, what POST /api/v1/readings calls after parsing) and the HTTP level (the endpoint
/// itself, JSON bodies of one batch each). Every batch holds one reading for each of its sensors, batches sweep the
/// whole city in a fixed shuffled order, so every reading is one sensor-grain call and every sensor keeps reporting up.
/// </summary>
public static class IngestBenchmark
{
    public const string Name = "ingest";

    /// <summary>The import rows alone (with the baseline): <c>--only=import</c>; the other rows that need the city import it too.</summary>
    public const string ImportName = "import";
    public const double TargetRate = 100_000;
    public const double TargetRatio = 0.3;
    /// <summary>HTTP acknowledgements against the no-op call baseline (issue #18, target 2).</summary>
    public const double HttpTargetRatio = 0.5;
    /// <summary>The most the KPIs may lag the acknowledgements, at p99 and after the feed stops, for a rate to count as live.</summary>
    public const double LiveLagMilliseconds = 1_000;

    /// <summary>Registers the run's synthetic city (areas, then segments, then sensors), timed.</summary>
    public static async Task ImportAsync(BenchmarkContext context)
    {
        await ImportAsync(context, context.Host, context.City, context.DatabaseFile, "import");
        context.CityImported = true;
    }

    /// <summary>Registers a city into a twin, timed, as the figure <paramref name="label"/>; reuses a city already stored.</summary>
    /// <remarks>With <paramref name="otherProcessesCpu"/> (the CPU time the twin's other processes have used so far), the CPU per entity counts theirs too.</remarks>
    internal static async Task ImportAsync(BenchmarkContext context, TwinHost host, CitySpec city, string databaseFile, string label,
        Func<TimeSpan>? otherProcessesCpu = null)
    {
        var stored = await host.Grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
        if (stored.Districts!.Count > 0)
        {
            // The city holds the areas directly under it.
            var topLevel = city.Districts.Count(d => d.ParentId is null);
            if (stored.Districts!.Count != topLevel)
            {
                throw new InvalidOperationException($"The database holds another city ({stored.Districts.Count} top-level areas); use a fresh --db.");
            }
            context.Results.Note($"{label}: the city was already in {databaseFile}; not measured");
            return;
        }
        Progress.Say($"{label}: {city.Districts.Count:N0} areas, {city.Segments.Count:N0} segments, {city.Sensors.Count:N0} sensors");
        var documents = CityDocuments.Write(city).ToList();
        using var http = host.CreateIngestClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", host.IocToken());
        var before = context.Counters.Take();
        var othersBefore = otherProcessesCpu?.Invoke();
        // As an operator would: the areas, then the roads and sensors of a run of districts per document, one after another.
        foreach (var document in documents)
        {
            using var content = new ByteArrayContent(document);
            content.Headers.ContentType = new("application/geo+json");
            using var response = await http.PostAsync("/api/v1/import", content);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{label}: the import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        var window = context.Counters.Take().Since(before);
        // Work the import left behind (rollups, activations) is part of its cost: CPU is counted until the twin is quiet.
        var drain = await Quiet.WaitAsync(context.Counters, TimeSpan.FromSeconds(180), otherProcessesCpu);
        var settled = context.Counters.Take().Since(before);
        var othersCpu = otherProcessesCpu?.Invoke() - othersBefore;
        var entities = city.Districts.Count + city.Segments.Count + city.Sensors.Count;
        context.Results.Add(new Figure(label, $"topology imported through POST /api/v1/import ({entities:N0} entities in {documents.Count} documents, each stored before it answers)",
            entities / window.Elapsed.TotalSeconds, Unit.PerSecond, "baseline calls", context.BaselineCallRate));
        context.Results.Add(othersCpu is { } others
            ? new Figure(label, "CPU of all the twin's processes per imported entity, until quiet",
                settled.CpuMicrosecondsPer(entities) + others.TotalMicroseconds / entities, Unit.Microseconds, "no-op call", context.BaselineCpuPerCall)
            : new Figure(label, "process CPU per imported entity, until quiet", settled.CpuMicrosecondsPer(entities), Unit.Microseconds,
                "no-op call", context.BaselineCpuPerCall));
        context.Results.Note($"{label} took {window.Elapsed.TotalSeconds:N1} s: {window.Describe(entities, "entity")}; " +
            $"{drain.TotalSeconds:N1} s more to quiet down; until then {settled.AllocatedPer(entities):N0} B allocated per entity");
    }

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var readings = Readings.OnePerSensor(context.City, DateTimeOffset.UtcNow.AddSeconds(-1));
        var batches = Readings.Batches(readings, options.BatchSize);
        var shape = $"batches of {options.BatchSize:N0} over {context.City.Sensors.Count:N0} sensors";

        await GrainLevelAsync(context, batches, "grain level (IngestService)", shape, Row(context, http: false));
        await HttpLevelAsync(context, batches, shape, Row(context, http: true));
    }

    /// <summary>The batches handed to the API process's <see cref="IngestService"/>, as the level <paramref name="level"/> of <paramref name="row"/>.</summary>
    internal static Task GrainLevelAsync(BenchmarkContext context, List<List<ParsedReading>> batches, string level, string shape, IngestRow row)
    {
        var ingest = context.Host.Get<IngestService>();
        async Task<(int, int)> IngestBatch(int i)
        {
            var result = await ingest.IngestAsync(batches[i], []);
            return (result.Accepted, result.Rejected.Count);
        }
        return MeasureAsync(context, level, $"{shape}, {context.Options.GrainBatchesInFlight} in flight",
            batches.Count, context.Options.GrainBatchesInFlight, IngestBatch, row);
    }

    /// <summary>The row the ingest figures of a level go to, set against the no-op call baseline.</summary>
    private static IngestRow Row(BenchmarkContext context, bool http) =>
        new(Name, "baseline calls", context.BaselineCallRate, http ? HttpTargetRatio : TargetRatio, TargetRate);

    /// <summary>
    /// The readings posted to <c>POST /api/v1/readings</c> with the ingest key, the HTTP level of <paramref name="row"/>;
    /// with <paramref name="otherApis"/>, to this process's API and those in turn.
    /// </summary>
    /// <remarks>
    /// With <paramref name="otherProcessesCpu"/> (the CPU time the twin's other processes have used so far), the CPU per
    /// applied reading counts theirs too, and the bytes allocated per reading, this process's alone, are left out.
    /// </remarks>
    internal static async Task HttpLevelAsync(BenchmarkContext context, List<List<ParsedReading>> batches, string shape, IngestRow row,
        IReadOnlyList<Uri>? otherApis = null, Func<TimeSpan>? otherProcessesCpu = null)
    {
        var options = context.Options;
        var bodies = batches.Select(Readings.Json).ToArray();
        var clients = new List<HttpClient> { context.Host.CreateIngestClient() };
        foreach (var api in otherApis ?? [])
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = api, Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, TwinHost.IngestApiKey);
            clients.Add(client);
        }
        async Task<(int, int)> PostBatch(int i)
        {
            using var content = new ByteArrayContent(bodies[i]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await clients[i % clients.Count].PostAsync("/api/v1/readings", content);
            response.EnsureSuccessStatusCode();
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            return (body.RootElement.GetProperty("accepted").GetInt32(), body.RootElement.GetProperty("rejected").GetArrayLength());
        }
        try
        {
            var apis = Math.Min(clients.Count, bodies.Length);
            var level = apis <= 1 ? "HTTP level (POST /api/v1/readings)" : $"HTTP level (POST /api/v1/readings to {apis} API processes in turn)";
            await MeasureAsync(context, level,
                $"{shape} ({bodies.Average(b => b.Length) / 1024:N0} KB JSON each), {options.HttpBatchesInFlight} in flight",
                batches.Count, options.HttpBatchesInFlight, PostBatch, row, otherProcessesCpu);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task MeasureAsync(BenchmarkContext context, string level, string shape, int batchCount, int inFlight,
        Func<int, Task<(int Accepted, int Rejected)>> send, IngestRow row, Func<TimeSpan>? otherProcessesCpu = null)
    {
        var options = context.Options;
        // The live side: a twin observer in the API process sees every city frame and the newest reading behind it.
        var clock = TimeProvider.System;
        var observer = new CityFrameObserver(clock);
        var processId = Guid.NewGuid();
        var reference = context.Host.Grains.CreateObjectReference<ITwinObserver>(observer);
        using var stopRenewal = new CancellationTokenSource();
        var renewal = LatencyBenchmark.RenewAsync(context.Host.Grains, processId, reference, stopRenewal.Token);
        try
        {
            // Warm up long enough for write-behind to be part of the steady state the window measures.
            Progress.Say($"ingest, {level}: warming up for {options.IngestWarmup.TotalSeconds:N0} s");
            await DriveAsync(batchCount, inFlight, send, sweeps: null, duration: options.IngestWarmup);

            Progress.Say($"ingest, {level}: measuring for {options.IngestWindow.TotalSeconds:N0} s");
            var before = context.Counters.Take();
            var othersBefore = otherProcessesCpu?.Invoke();
            var from = clock.GetUtcNow();
            var (accepted, rejected, failed, elapsed) = await DriveAsync(batchCount, inFlight, send, sweeps: null, duration: options.IngestWindow);
            var stopped = clock.GetUtcNow();
            var window = context.Counters.Take().Since(before);
            var othersCpu = otherProcessesCpu?.Invoke() - othersBefore;
            var drain = await Quiet.WaitAsync(context.Counters, TimeSpan.FromSeconds(120), otherProcessesCpu);
            // Everything the readings cost, the work queued behind them included.
            var settled = context.Counters.Take().Since(before);
            var settledCpu = settled.CpuMicrosecondsPer(accepted) + ((otherProcessesCpu?.Invoke() - othersBefore)?.TotalMicroseconds ?? 0) / Math.Max(1, accepted);
            var staleness = observer.StalenessBetween(from, stopped);
            staleness.Sort();
            var p99 = LatencyBenchmark.Percentile(staleness, 0.99);
            // When the city's KPIs (every district's, rolled up) showed the last acknowledged reading.
            var newest = (await context.Host.Grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get()).Kpis.SensorsOnline.AsOf;
            var caughtUp = (newest is { } asOf ? observer.FirstShowing(asOf) : null) - stopped;

            var rate = accepted / elapsed.TotalSeconds;
            var ratio = rate / row.BaselineRate;
            context.Results.Add(new Figure(row.Name, $"readings/s acknowledged, {level}", rate, Unit.PerSecond, row.BaselineName, row.BaselineRate)
            {
                Target = row.AcknowledgedTargetRatio is { } target ? string.Create(CultureInfo.InvariantCulture, $"≥ {target:0.0}x") : null,
                Met = row.AcknowledgedTargetRatio is { } least ? ratio >= least : null,
            });
            // Live: the readings rolled up into the KPIs per second of feed and catch-up; the twin keeps up when the
            // KPIs lag the acknowledgements by under a second throughout and catch up within a second of the end.
            var live = caughtUp is { } behind ? accepted / (elapsed + (behind > TimeSpan.Zero ? behind : TimeSpan.Zero)).TotalSeconds : 0;
            var keptUp = p99 < LiveLagMilliseconds && caughtUp < TimeSpan.FromMilliseconds(LiveLagMilliseconds);
            context.Results.Add(new Figure(row.Name, $"readings/s live (in the KPIs), {level}", live, Unit.PerSecond, row.BaselineName, row.BaselineRate)
            {
                Target = string.Create(CultureInfo.InvariantCulture, $"≥ {row.LiveTargetRate:N0} /s, lag p99 and catch-up < 1 s"),
                Met = keptUp && live >= row.LiveTargetRate,
            });
            // Per reading rather than per second, so that other processes' load moves it less: the window's CPU and
            // allocations (the background work running meanwhile included) per reading applied; the note adds the drain.
            // None applied (every batch failed): there is nothing to divide by, and the note says why.
            if (accepted > 0 && othersCpu is { } others)
            {
                context.Results.Add(new Figure(row.Name, $"CPU of all the twin's processes per applied reading, {level}",
                    window.CpuMicrosecondsPer(accepted) + others.TotalMicroseconds / accepted, Unit.Microseconds, "no-op call", context.BaselineCpuPerCall));
            }
            else if (accepted > 0)
            {
                context.Results.Add(new Figure(row.Name, $"process CPU per applied reading, {level}", window.CpuMicrosecondsPer(accepted), Unit.Microseconds,
                    "no-op call", context.BaselineCpuPerCall));
                context.Results.Add(new Figure(row.Name, $"bytes allocated per applied reading, {level}", window.AllocatedPer(accepted), Unit.Bytes,
                    "no-op call", context.BaselineBytesPerCall));
            }
            var othersNote = othersCpu is { } used
                ? FormattableString.Invariant($"the twin's other processes {used.TotalSeconds:N1} CPU-seconds in the window ({used.TotalSeconds / elapsed.TotalSeconds:N2} cores); ")
                : "";
            context.Results.Note(string.Create(CultureInfo.InvariantCulture,
                $"{row.Name} {level}: {accepted:N0} readings in {elapsed.TotalSeconds:N1} s, {shape}" +
                $"{(rejected > 0 ? $", {rejected:N0} REJECTED" : "")}{(failed.Count > 0 ? $", {failed.Count:N0} batches FAILED ({failed[0]})" : "")}; " +
                $"{window.Describe(accepted, "reading")}; {othersNote}" +
                $"city KPIs behind the newest acknowledged reading: p50 {LatencyBenchmark.Percentile(staleness, 0.5):N0} ms / p99 {p99:N0} ms over {staleness.Count:N0} city frames; " +
                $"after the window they showed the last reading {(caughtUp is { } shown ? $"{shown.TotalSeconds:N1} s" : "NEVER")} after the feed stopped " +
                $"({(keptUp ? "kept up" : "FELL BEHIND")}), and the rest of the work queued behind it (checkpoints, history moves) took {drain.TotalSeconds:N1} s more to quiet down; " +
                $"counting that too, {settledCpu:N1} µs of CPU{(othersCpu is null ? "" : " (all the twin's processes)")} and {settled.AllocatedPer(accepted):N0} B{(othersCpu is null ? "" : " allocated in this process")} per applied reading."));
        }
        finally
        {
            await stopRenewal.CancelAsync();
            await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            await context.Host.Grains.GetGrain<ITwinObserverRegistry>(0).Unregister(processId);
        }
    }

    /// <summary>Sends batches round-robin with <paramref name="inFlight"/> outstanding, for a number of sweeps or a duration.</summary>
    internal static async Task<(long Accepted, long Rejected, List<string> Failed, TimeSpan Elapsed)> DriveAsync(int batchCount, int inFlight,
        Func<int, Task<(int Accepted, int Rejected)>> send, int? sweeps, TimeSpan? duration)
    {
        long accepted = 0, rejected = 0;
        var failed = new List<string>();
        var next = -1;
        var total = sweeps * batchCount;
        var started = Stopwatch.GetTimestamp();
        var deadline = duration is { } d ? started + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        async Task Worker()
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= total)
                {
                    return;
                }
                try
                {
                    var (a, r) = await send(n % batchCount);
                    Interlocked.Add(ref accepted, a);
                    Interlocked.Add(ref rejected, r);
                }
                catch (Exception ex) when (ex is TimeoutException or HttpRequestException or OrleansException or TaskCanceledException)
                {
                    // A failed batch counts for nothing; the run goes on and the report says so.
                    lock (failed)
                    {
                        failed.Add($"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                    }
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(Worker)));
        return (accepted, rejected, failed, Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>
/// The row an ingest measure goes to: its name, the rate its readings are set against (<paramref name="BaselineName"/>),
/// the least acknowledged ratio to that rate (none: no target) and the live rate wanted.
/// </summary>
internal sealed record IngestRow(string Name, string BaselineName, double BaselineRate, double? AcknowledgedTargetRatio, double LiveTargetRate);
