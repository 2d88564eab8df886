using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Topology;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IocTwin.Tests.Cluster;

/// <summary>
/// Two silos and two API processes on PostgreSQL, as real processes. Under a steady feed: kill -9 a silo, kill an API,
/// restart everything, restart PostgreSQL. Nothing acknowledged may be lost and screens must keep receiving.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ClusterFaultTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string SigningKey = TestSecrets.New();
    private static readonly string IngestKey = TestSecrets.New();
    private readonly List<TwinProcess> _processes = [];
    private readonly string _cluster = "fault-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int[] _siloPorts = [TestPorts.Free(), TestPorts.Free()];
    private readonly int[] _gatewayPorts = [TestPorts.Free(), TestPorts.Free()];
    private readonly int[] _apiPorts = [TestPorts.Free(), TestPorts.Free()];
    private readonly int[] _opsPorts = [TestPorts.Free(), TestPorts.Free()];

    private Dictionary<string, string> Common() => new()
    {
        ["Twin:Storage"] = "PostgreSql",
        ["Twin:Clustering"] = "AdoNet",
        ["Twin:ConnectionString"] = PostgresDatabase.ConnectionString + ";Maximum Pool Size=30",
        ["Twin:ClusterId"] = _cluster,
        ["Twin:ServiceId"] = _cluster,
        ["Twin:Membership:ProbeTimeout"] = "00:00:01",
        ["Twin:Membership:NumMissedProbesLimit"] = "2",
        ["Twin:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Twin:Messaging:ResponseTimeout"] = "00:00:05",
        ["Auth:SigningKey"] = SigningKey,
        ["Auth:IngestApiKeys:0"] = IngestKey,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private TwinProcess StartSilo(int index)
    {
        var settings = Common();
        settings["Twin:SiloPort"] = _siloPorts[index].ToString();
        settings["Twin:GatewayPort"] = _gatewayPorts[index].ToString();
        settings["Urls"] = $"http://127.0.0.1:{_opsPorts[index]}";
        return Track(TwinProcess.Silo($"silo{index}", settings));
    }

    private TwinProcess StartApi(int index)
    {
        var settings = Common();
        settings["Twin:Mode"] = "Client";
        settings["Feed:Enabled"] = "false";
        settings["Urls"] = $"http://127.0.0.1:{_apiPorts[index]}";
        // Either silo's gateway will do; the client learns the rest from the membership table.
        settings["Twin:GatewayPort"] = _gatewayPorts[index].ToString();
        return Track(TwinProcess.Api($"api{index}", settings));
    }

    private TwinProcess Track(TwinProcess process)
    {
        _processes.Add(process);
        return process;
    }

    private HttpClient Client(int api)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_apiPorts[api]}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        http.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, IngestKey);
        return http;
    }

    private static string Token() => ProcessTokens.Issue(SigningKey, "fault-test");

    private async Task WaitReady(HttpClient http, int sensors)
    {
        await Eventually.Until(async () =>
        {
            try
            {
                var districts = await http.Get<List<DistrictView>>("/api/v1/districts");
                return districts.Sum(d => d.SensorCount);
            }
            catch (Exception) { return -1; }
        }, n => n >= sensors, TimeSpan.FromSeconds(120), "the cluster serves the whole sample");
    }

    [Fact]
    public async Task Cluster_survives_silo_kill_api_kill_full_restart_and_database_restart_without_losing_acknowledged_readings()
    {
        var sample = GeoJsonCityReader.LoadSample();
        var sensors = sample.Sensors.Where(s => s.Kind == SensorKind.TrafficCounter).Take(40).Select(s => s.Id).ToList();
        StartSilo(0);
        StartSilo(1);
        StartApi(0);
        StartApi(1);
        using var api0 = Client(0);
        using var api1 = Client(1);
        await WaitReady(api0, sample.Sensors.Count);
        await WaitReady(api1, sample.Sensors.Count);
        await AssertSiloOperationsPort(_opsPorts[0]);

        // A screen on API 1, resubscribing whenever told to or reconnected.
        // Newest reading count of each fed sensor that reached the screen (a sensor's delta orders by its reading count).
        var seen = new ConcurrentDictionary<string, long>();
        await using var screen = new HubConnectionBuilder()
            .WithUrl($"http://127.0.0.1:{_apiPorts[1]}/hubs/twin", o => o.AccessTokenProvider = () => Task.FromResult<string?>(Token()))
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)])
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        screen.On<JsonElement>("delta", delta =>
        {
            foreach (var sensor in delta.GetProperty("sensors").EnumerateArray())
            {
                var count = sensor.GetProperty("readingCount").GetInt64();
                seen.AddOrUpdate(sensor.GetProperty("id").GetString()!, count, (_, v) => Math.Max(v, count));
            }
        });
        screen.On<JsonElement>("resync", resync => { _ = screen.InvokeAsync<JsonElement>("Subscribe", "city"); });
        screen.Reconnected += async _ => await screen.InvokeAsync<JsonElement>("Subscribe", "city");
        await screen.StartAsync();
        await screen.InvokeAsync<JsonElement>("Subscribe", "city");

        // The steady feed: every acknowledged reading is remembered.
        var acked = new ConcurrentDictionary<string, (int Count, DateTimeOffset Newest)>();
        HttpClient[] apis = [api0, api1];
        using var stopFeed = new CancellationTokenSource();
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-5);
        var feed = Task.Run(async () =>
        {
            for (var tick = 0; !stopFeed.IsCancellationRequested; tick++)
            {
                // Whole milliseconds: the precision the twin keeps.
            var time = DateTimeOffset.FromUnixTimeMilliseconds(baseTime.ToUnixTimeMilliseconds() + tick * 10);
                var batch = sensors.Select(id => TwinApiClient.Reading(id, time, new { speed = 5 + tick % 40, flow = 800 })).ToArray();
                var current = Volatile.Read(ref apis);
                var http = current[tick % current.Length];
                try
                {
                    var response = await http.PostReadings(batch);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        var accepted = (int)(await response.ReadObject())["accepted"]!;
                        Assert.Equal(sensors.Count, accepted);
                        foreach (var id in sensors)
                        {
                            acked.AddOrUpdate(id, (1, time), (_, a) => (a.Count + 1, time > a.Newest ? time : a.Newest));
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not acknowledged: the sender would retry; the test only counts what was acknowledged.
                }
                await Task.Delay(100);
            }
        });

        // Every fed sensor's updates reach the screen again, newer than they were when the fault struck.
        async Task ScreenKeepsReceiving(string because)
        {
            var before = sensors.ToDictionary(id => id, id => seen.GetValueOrDefault(id));
            await Eventually.Until(() => Task.FromResult(sensors.Count(id => seen.GetValueOrDefault(id) > before[id])),
                n => n == sensors.Count, TimeSpan.FromSeconds(60), because);
        }

        // Ingest goes on being acknowledged: more full batches after the fault than at it.
        int Acknowledged() => acked.Values.Sum(a => a.Count);
        async Task IngestKeepsGoing(string because)
        {
            var atFault = Acknowledged();
            await Eventually.Until(() => Task.FromResult(Acknowledged()), n => n >= atFault + 3 * sensors.Count, TimeSpan.FromSeconds(60), because);
        }

        await ScreenKeepsReceiving("the screen receives the live feed");
        await IngestKeepsGoing("readings are acknowledged");

        _processes[0].Kill();
        output.WriteLine($"silo0 killed at {DateTimeOffset.UtcNow:O}");
        await ScreenKeepsReceiving("the screen keeps receiving every sensor after a silo is killed");
        await IngestKeepsGoing("readings are acknowledged after a silo is killed");

        _processes[2].Kill();
        Volatile.Write(ref apis, [api1]);
        output.WriteLine($"api0 killed at {DateTimeOffset.UtcNow:O}");
        await ScreenKeepsReceiving("the screen on the other API keeps receiving after an API process is killed");
        await IngestKeepsGoing("readings are acknowledged by the other API after one is killed");

        await stopFeed.CancelAsync();
        await feed;
        output.WriteLine($"{Acknowledged()} readings acknowledged");
        await AssertNothingAcknowledgedIsLost(api1, acked);

        // The whole cluster goes down hard and comes back: every grain's state returns.
        foreach (var process in _processes)
        {
            process.Kill();
        }
        StartSilo(0);
        StartSilo(1);
        StartApi(0);
        await WaitReady(api0, sample.Sensors.Count);
        await AssertNothingAcknowledgedIsLost(api0, acked);

        // PostgreSQL restarts under the running cluster: it recovers by itself.
        await RestartPostgres();
        var recovered = await Eventually.Until(async () =>
        {
            try
            {
                return (await api0.PostReadings(TwinApiClient.Reading(sensors[0], DateTimeOffset.UtcNow, new { speed = 33 }))).StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return HttpStatusCode.ServiceUnavailable; }
        }, s => s == HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), "ingest works again after PostgreSQL restarts");
        Assert.Equal(HttpStatusCode.Accepted, recovered);
        await Eventually.Until(() => api0.Get<SensorView>($"/api/v1/sensors/{sensors[0]}"), s => s.LastReading!.Values["speed"] == 33,
            TimeSpan.FromSeconds(30), "the twin takes readings again after PostgreSQL restarts");
    }

    private async Task AssertNothingAcknowledgedIsLost(HttpClient http, ConcurrentDictionary<string, (int Count, DateTimeOffset Newest)> acked)
    {
        foreach (var (id, (count, newest)) in acked)
        {
            var sensor = await Eventually.Until(() => http.Get<SensorView>($"/api/v1/sensors/{id}"),
                s => s.ReadingCount >= count && s.LastReading!.Timestamp >= newest, TimeSpan.FromSeconds(60),
                $"sensor {id} holds its {count} acknowledged readings up to {newest:O}");
            Assert.True(sensor.LastReading!.Timestamp >= newest);

            var history = await (await http.GetAsync(
                $"/api/v1/sensors/{id}/history?from={Uri.EscapeDataString(newest.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(newest.AddSeconds(1).ToString("O"))}&step=PT2H"))
                .ReadObject();
            var stored = history["buckets"]!.AsArray().Sum(b => (int)b!["values"]!["speed"]!["count"]!);
            Assert.True(stored >= count, $"history of {id} holds {stored} of {count} acknowledged readings");
        }
    }

    /// <summary>Each silo serves Prometheus metrics (Orleans' own among them), the Orleans dashboard and a liveness probe.</summary>
    private static async Task AssertSiloOperationsPort(int port)
    {
        using var ops = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        // The operations port opens once the silo has started.
        await Eventually.Until(async () =>
        {
            try { return (await ops.GetAsync("/health/live")).StatusCode; }
            catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the silo's operations port answers");
        var metrics = await ops.GetStringAsync("/metrics");
        Assert.Contains("orleans_", metrics);
        var dashboard = await ops.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    private static async Task RestartPostgres()
    {
        var restart = Process.Start(new ProcessStartInfo("bash", [Path.Combine(TestBuild.RepositoryRoot(), ".ci", "postgres.sh"), "restart"]))!;
        await restart.WaitForExitAsync();
        Assert.Equal(0, restart.ExitCode);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            var log = process.Output;
            output.WriteLine($"--- {process.Name} ---\n{log[^Math.Min(log.Length, 6000)..]}");
            process.Dispose();
        }
    }
}

/// <summary>Fault tests restart shared servers (PostgreSQL): they run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}
