using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using IocTwin.Api.Json;
using IocTwin.Benchmarks.Harness;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 6. Subscribe latency. One SignalR client (JSON, as the screens) subscribes to <c>city</c>, a <c>district:{id}</c> and an
/// <c>entity:{id}</c> in turn, unsubscribing after each, and times the call until its snapshot has arrived and been
/// parsed: first on an idle twin, then under a steady feed through POST /api/v1/readings. The baseline of each scope
/// is its idle figure.
/// </summary>
public static class SubscribeBenchmark
{
    public const string Name = "subscribe";
    private const double TargetP99Milliseconds = 500;

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var host = context.Host;
        var city = context.City;
        var district = city.Districts[city.Districts.Count / 2].Id;
        var scopes = new[] { "city", $"district:{district}", $"entity:{city.Sensors.First(s => s.DistrictId == district).Id}" };

        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(host.Address, "/hubs/twin"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(host.IocToken());
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(2);
        connection.On<JsonElement>("delta", _ => { });
        connection.On<JsonElement>("resync", _ => { });
        connection.On<JsonElement>("alert", _ => { });
        string? closedBecause = null;
        connection.Closed += error =>
        {
            closedBecause = error?.Message ?? "closed without a reason";
            return Task.CompletedTask;
        };
        await connection.StartAsync();

        Progress.Say($"subscribe: {options.SubscribeSamples} calls per scope on an idle twin ({string.Join(", ", scopes)})");
        var idle = await MeasureAsync(connection, scopes, options.SubscribeSamples);
        Report(context, "idle", idle, idle, "");

        using var stop = new CancellationTokenSource();
        var feed = new SteadyFeed(host, city, options.SubscribeFeedReadingsPerSecond);
        var feeding = feed.RunAsync(stop.Token);
        try
        {
            Progress.Say($"subscribe: the same under a feed of {options.SubscribeFeedReadingsPerSecond:N0} readings/s");
            await Task.Delay(options.LatencyWarmup);
            var before = context.Counters.Take();
            var sentBefore = feed.Sent;
            Dictionary<string, (List<double> Times, int Sensors)> fed;
            try
            {
                fed = await MeasureAsync(connection, scopes, options.SubscribeSamples);
            }
            catch (Exception) when (closedBecause is not null)
            {
                context.Results.Note($"subscribe under the feed: the connection closed: {closedBecause}");
                throw;
            }
            var window = context.Counters.Take().Since(before);
            Report(context, $"under {options.SubscribeFeedReadingsPerSecond:N0} readings/s", fed, idle, string.Create(CultureInfo.InvariantCulture,
                $"feed {(feed.Sent - sentBefore) / window.Elapsed.TotalSeconds:N0} readings/s acknowledged ({feed.Failed} failed posts); {window.Describe(options.SubscribeSamples * scopes.Length, "subscribe")}"));
        }
        finally
        {
            await stop.CancelAsync();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Milliseconds per call, sorted, per scope; the scopes take turns so each sees the same conditions.</summary>
    private static async Task<Dictionary<string, (List<double> Times, int Sensors)>> MeasureAsync(HubConnection connection, string[] scopes, int samples)
    {
        var results = scopes.ToDictionary(s => s, _ => (Times: new List<double>(), Sensors: 0));
        for (var i = 0; i < samples; i++)
        {
            foreach (var scope in scopes)
            {
                var started = Stopwatch.GetTimestamp();
                var snapshot = await connection.InvokeAsync<JsonElement>("Subscribe", scope);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await connection.InvokeAsync("Unsubscribe", scope);
                results[scope].Times.Add(elapsed);
                results[scope] = (results[scope].Times, snapshot.GetProperty("sensors").GetArrayLength());
            }
        }
        foreach (var (times, _) in results.Values)
        {
            times.Sort();
        }
        return results;
    }

    private static void Report(BenchmarkContext context, string condition,
        Dictionary<string, (List<double> Times, int Sensors)> measured, Dictionary<string, (List<double> Times, int Sensors)> idle, string note)
    {
        foreach (var (scope, (times, sensors)) in measured)
        {
            var label = scope.Split(':')[0];
            var baseline = $"idle {label}";
            var p50 = LatencyBenchmark.Percentile(times, 0.50);
            var p99 = LatencyBenchmark.Percentile(times, 0.99);
            context.Results.Add(new Figure(Name, $"p50, {label} ({sensors:N0} sensors), {condition}", p50, Unit.Milliseconds, baseline,
                LatencyBenchmark.Percentile(idle[scope].Times, 0.50)));
            context.Results.Add(new Figure(Name, $"p99, {label} ({sensors:N0} sensors), {condition}", p99, Unit.Milliseconds, baseline,
                LatencyBenchmark.Percentile(idle[scope].Times, 0.99))
            {
                Target = $"< {TargetP99Milliseconds:N0} ms",
                Met = p99 < TargetP99Milliseconds,
            });
        }
        var slowest = string.Join("; ", measured.Select(m => FormattableString.Invariant($"{m.Key} max {m.Value.Times[^1]:N0} ms over {m.Value.Times.Count} calls")));
        context.Results.Note($"subscribe {condition}: {slowest}{(note.Length > 0 ? "; " + note : "")}");
    }

    /// <summary>The <see cref="PacedFeed"/>, counting what it posted.</summary>
    private sealed class SteadyFeed(TwinHost host, CitySpec city, double readingsPerSecond)
    {
        private long _sent;
        private long _failed;

        public long Sent => Interlocked.Read(ref _sent);

        public long Failed => Interlocked.Read(ref _failed);

        public Task RunAsync(CancellationToken cancellationToken) =>
            PacedFeed.RunAsync(host, city, readingsPerSecond, (http, batch, _) => PostAsync(http, Readings.Json(batch), batch.Count), cancellationToken);

        private async Task PostAsync(HttpClient http, byte[] body, int count)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
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
