using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using IocTwin.Benchmarks.Harness;
using IocTwin.Feed;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 9. Moving assets with the screens live (only when named: <c>--only=assets</c>). Assets registered across the city
/// report every 2 s through <c>POST /api/v1/assets/positions</c> (batches of 1,000), while probe sensors get one
/// reading each per round through <c>POST /api/v1/readings</c>; screens subscribed to <c>city</c> receive both.
/// Latency: POST acknowledged → the first <c>assets</c> frame carrying the asset's report at each screen, against
/// POST acknowledged → the first <c>delta</c> carrying the probe sensor's new reading count at each screen: the sensor
/// path in the same run. One asset in ten is a probe.
/// </summary>
public static class AssetsBenchmark
{
    public const string Name = "assets";
    private const int BatchSize = 1_000;
    private const int ProbeEvery = 10;
    private const int ProbeSensors = 50;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private sealed record AssetProbe(string Id, DateTimeOffset? ReportedAt);
    private sealed record AssetsProbeFrame(List<AssetProbe>? Assets);
    private sealed record SensorProbe(string Id, long ReadingCount);
    private sealed record DeltaProbeFrame(List<SensorProbe>? Sensors);

    public static async Task RunAsync(BenchmarkContext context)
    {
        var quick = context.Options.Mode == RunOptions.Quick.Mode;
        var (assetCount, screenCount) = quick ? (500, 2) : (10_000, 10);
        var (warmup, window) = quick ? (TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10)) : (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40));
        var host = context.Host;
        var city = context.City;
        var random = new Random(5);

        Progress.Say($"assets: registering {assetCount:N0} assets");
        var kinds = Enum.GetValues<AssetKind>();
        var places = Enumerable.Range(0, assetCount).Select(_ =>
        {
            var boundary = city.Districts[random.Next(city.Districts.Count)].Boundary;
            var (west, east) = (boundary.Min(p => p.Lon), boundary.Max(p => p.Lon));
            var (south, north) = (boundary.Min(p => p.Lat), boundary.Max(p => p.Lat));
            return new GeoPoint(west + random.NextDouble() * (east - west), south + random.NextDouble() * (north - south));
        }).ToArray();
        var ids = Enumerable.Range(0, assetCount).Select(i => $"bench-asset-{i}").ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, assetCount), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var kind = kinds[i % kinds.Length];
            await host.Grains.GetGrain<IAssetGrain>(ids[i]).Register(new AssetSpec(ids[i], $"Asset {i}", kind, Sector.PublicSafety));
        });

        var sensors = city.Sensors.Where((_, i) => i % Math.Max(1, city.Sensors.Count / ProbeSensors) == 0).Take(ProbeSensors).ToArray();
        var segments = city.Segments.ToDictionary(s => s.Id);
        var initialCounts = (await Task.WhenAll(sensors.Select(s => host.Grains.GetGrain<ISensorGrain>(s.Id).Get())))
            .Select(v => v?.ReadingCount ?? 0).ToArray();
        var sensorIndex = sensors.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);

        var rounds = (int)Math.Ceiling((warmup + window) / Interval) + 1;
        var start = DateTimeOffset.UtcNow.AddSeconds(-rounds * Interval.TotalSeconds);
        var roundOfMs = Enumerable.Range(0, rounds).ToDictionary(r => start.AddSeconds(r * Interval.TotalSeconds).ToUnixTimeMilliseconds(), r => r);
        var batches = (assetCount + BatchSize - 1) / BatchSize;
        var assetAcks = new long[rounds, batches];
        var readingAcks = new long[rounds];
        var measuredFrom = int.MaxValue;

        var assetArrivals = new ConcurrentBag<(int Round, int Asset, long Arrived)>();
        var sensorArrivals = new ConcurrentBag<(int Round, long Arrived)>();
        var assetIndex = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var screens = new List<HubConnection>();
        var token = host.IocToken();
        for (var s = 0; s < screenCount; s++)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(host.Address, "/hubs/twin"), o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
                .Build();
            connection.ServerTimeout = TimeSpan.FromMinutes(2);
            connection.On<AssetsProbeFrame>("assets", frame =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var asset in frame.Assets ?? [])
                {
                    if (asset.ReportedAt is { } at && roundOfMs.TryGetValue(at.ToUnixTimeMilliseconds(), out var round) && round >= Volatile.Read(ref measuredFrom) &&
                        assetIndex.TryGetValue(asset.Id, out var i) && i % ProbeEvery == 0)
                    {
                        assetArrivals.Add((round, i, now));
                    }
                }
            });
            connection.On<DeltaProbeFrame>("delta", frame =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var sensor in frame.Sensors ?? [])
                {
                    if (sensorIndex.TryGetValue(sensor.Id, out var i))
                    {
                        var round = (int)(sensor.ReadingCount - initialCounts[i] - 1);
                        if (round >= Volatile.Read(ref measuredFrom) && round < rounds)
                        {
                            sensorArrivals.Add((round, now));
                        }
                    }
                }
            });
            await connection.StartAsync();
            await connection.InvokeAsync<JsonElement>("Subscribe", "city");
            screens.Add(connection);
        }

        using var ingest = host.CreateIngestClient();
        var feed = new SyntheticFeed();
        var failed = 0;
        var started = Stopwatch.GetTimestamp();
        var warmupRounds = (int)(warmup / Interval);
        Progress.Say($"assets: {assetCount:N0} assets every {Interval.TotalSeconds:0} s and {sensors.Length} probe sensors, {screenCount} city screens");
        try
        {
            using var timer = new PeriodicTimer(Interval);
            for (var round = 0; round < rounds; round++)
            {
                if (round == warmupRounds)
                {
                    Volatile.Write(ref measuredFrom, round);
                }
                var at = start.AddSeconds(round * Interval.TotalSeconds);
                var r = round;
                var posts = Enumerable.Range(0, batches).Select(async b =>
                {
                    var items = Enumerable.Range(b * BatchSize, Math.Min(BatchSize, assetCount - b * BatchSize)).Select(i =>
                    {
                        var p = places[i];
                        return new { id = ids[i], lat = p.Lat + r * 1e-5, lon = p.Lon + r * 1e-5, heading = 45.0, speed = 30.0, status = "on-duty", timestamp = at };
                    });
                    using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(items));
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await ingest.PostAsync("/api/v1/assets/positions", content);
                    assetAcks[r, b] = Stopwatch.GetTimestamp();
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
                }).ToList();
                var readings = sensors.Select((s, i) => new ParsedReading(i, s.Id, feed.Next(s, s.SegmentId is { } id ? segments.GetValueOrDefault(id) : null, at)));
                using (var body = Readings.PooledJson(readings))
                using (var content = body.Content())
                {
                    using var response = await ingest.PostAsync("/api/v1/readings", content);
                    readingAcks[r] = Stopwatch.GetTimestamp();
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
                }
                await Task.WhenAll(posts);
                await timer.WaitForNextTickAsync();
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await Task.WhenAll(screens.Select(s => s.DisposeAsync().AsTask()));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        double Ms(long from, long to) => Math.Max(0, Stopwatch.GetElapsedTime(from, to).TotalMilliseconds);
        var assetLatencies = assetArrivals.Select(a => Ms(assetAcks[a.Round, a.Asset / BatchSize], a.Arrived)).Order().ToList();
        var sensorLatencies = sensorArrivals.Select(a => Ms(readingAcks[a.Round], a.Arrived)).Order().ToList();
        var measuredRounds = rounds - warmupRounds;
        var expectedAssets = (long)measuredRounds * ((assetCount + ProbeEvery - 1) / ProbeEvery) * screenCount;
        var expectedSensors = (long)measuredRounds * sensors.Length * screenCount;
        var (sensorP50, sensorP99) = (LatencyBenchmark.Percentile(sensorLatencies, 0.5), LatencyBenchmark.Percentile(sensorLatencies, 0.99));
        const string baseline = "reading → sensor delta";
        context.Results.Add(new Figure(Name, $"p50, {assetCount:N0} assets every 2 s, {screenCount} screens: position → marker frame",
            LatencyBenchmark.Percentile(assetLatencies, 0.5), Unit.Milliseconds, baseline, sensorP50));
        context.Results.Add(new Figure(Name, $"p99, {assetCount:N0} assets every 2 s, {screenCount} screens: position → marker frame",
            LatencyBenchmark.Percentile(assetLatencies, 0.99), Unit.Milliseconds, baseline, sensorP99));
        context.Results.Note(string.Create(CultureInfo.InvariantCulture,
            $"assets: {rounds} rounds in {elapsed.TotalSeconds:N0} s ({warmupRounds} warm-up), {failed} failed posts; " +
            $"{assetLatencies.Count:N0} of {expectedAssets:N0} expected probe-asset arrivals seen, {sensorLatencies.Count:N0} of {expectedSensors:N0} probe-reading arrivals"));
    }
}
