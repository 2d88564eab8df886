using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IocTwin.Api.Access;
using IocTwin.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IocTwin.Tests.Cluster;

/// <summary>
/// NGSI-LD notifications in cluster mode, as real processes: one silo and two API processes. Only the process holding
/// the notification lease sends, so each change is notified once, not once per process; when the holder dies (kill -9)
/// the other takes the lease over and sends what the dead one had not, so no change goes unnotified.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class NotificationLeaseHandoverTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string SigningKey = TestSecrets.New();
    private static readonly string IngestKey = TestSecrets.New();
    private readonly List<TwinProcess> _processes = [];
    private readonly string _cluster = "lease-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"));
    private readonly int _siloPort = TestPorts.Free();
    private readonly int _gatewayPort = TestPorts.Free();
    private readonly int[] _apiPorts = [TestPorts.Free(), TestPorts.Free()];

    private Dictionary<string, string> Common() => new()
    {
        ["Twin:ConnectionString"] = $"Data Source={Path.Combine(_folder, "twin.db")}",
        ["Twin:ClusterId"] = _cluster,
        ["Twin:ServiceId"] = _cluster,
        ["Twin:SiloPort"] = _siloPort.ToString(),
        ["Twin:GatewayPort"] = _gatewayPort.ToString(),
        ["Twin:SeedSampleCity"] = "false",
        ["Feed:Enabled"] = "false",
        ["Auth:SigningKey"] = SigningKey,
        ["Auth:IngestApiKeys:0"] = IngestKey,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private TwinProcess StartApi(int index)
    {
        var settings = Common();
        settings["Twin:Mode"] = "Client";
        settings["Urls"] = $"http://127.0.0.1:{_apiPorts[index]}";
        settings["NgsiLd:Notifications:AllowedEndpoints:0"] = "127.0.0.1";
        settings["NgsiLd:Notifications:LeaseDuration"] = "00:00:03";
        settings["NgsiLd:Notifications:ReportInterval"] = "00:00:00.500";
        settings["NgsiLd:Notifications:RetryDelay"] = "00:00:00.200";
        var process = TwinProcess.Api($"api{index}", settings);
        _processes.Add(process);
        return process;
    }

    private HttpClient Client(int api)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_apiPorts[api]}"), Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProcessTokens.Issue(SigningKey, "lease-test"));
        http.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, IngestKey);
        return http;
    }

    private static Task WaitReady(HttpClient http, string name) => Eventually.Until(async () =>
    {
        try
        {
            return (await http.GetAsync("/health/ready")).StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.ServiceUnavailable;
        }
    }, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(120), $"{name} is ready");

    private static async Task<HttpStatusCode> Post(HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/ngsi-ld/v1" + path, content);
        return response.StatusCode;
    }

    private static string Kiosk(int number) =>
        $$"""{ "id": "urn:ngsi-ld:Kiosk:{{number}}", "type": "Kiosk", "visitors": { "type": "Property", "value": {{number}} } }""";

    [Fact]
    public async Task When_the_lease_holder_dies_the_other_API_process_takes_over_and_every_change_is_notified()
    {
        Directory.CreateDirectory(_folder);
        var received = new ConcurrentQueue<int>();
        using var receiver = new LoopbackReceiver(request =>
        {
            foreach (var entity in request.Body["data"]!.AsArray())
            {
                received.Enqueue((int)entity!["visitors"]!["value"]!);
            }
        });
        _processes.Add(TwinProcess.Silo("silo", Common()));
        StartApi(0);
        using var api0 = Client(0);
        await WaitReady(api0, "api0");

        // API 0 alone: it takes the lease, and a change it hears is notified.
        Assert.Equal(HttpStatusCode.Created, await Post(api0, "/subscriptions", $$"""
            { "type": "Subscription", "entities": [{ "type": "Kiosk" }],
              "notification": { "endpoint": { "uri": "{{receiver.Url}}" } } }
            """));
        Assert.Equal(HttpStatusCode.Created, await Post(api0, "/entities", Kiosk(0)));
        await Eventually.Until(() => Task.FromResult(received.Contains(0)), seen => seen, TimeSpan.FromSeconds(30), "API 0 notifies");

        // Both running, changes written through API 1: notified once each, by the holder only.
        var api1Process = StartApi(1);
        using var api1 = Client(1);
        await WaitReady(api1, "api1");
        for (var n = 1; n <= 10; n++)
        {
            Assert.Equal(HttpStatusCode.Created, await Post(api1, "/entities", Kiosk(n)));
        }
        await Eventually.Until(() => Task.FromResult(Enumerable.Range(1, 10).All(received.Contains)), all => all, TimeSpan.FromSeconds(30),
            "changes through API 1 are notified");
        Assert.All(Enumerable.Range(0, 11), n => Assert.Equal(1, received.Count(v => v == n)));

        // The holder dies with changes still coming: API 1 takes the lease over and notifies every one, also those it
        // did not hear through its observer (it reads what changed since the dead holder's mark).
        _processes[1].Kill();
        output.WriteLine($"api0 killed at {DateTimeOffset.UtcNow:O}");
        for (var n = 11; n <= 40; n++)
        {
            Assert.Equal(HttpStatusCode.Created, await Post(api1, "/entities", Kiosk(n)));
            output.WriteLine($"posted {n} at {DateTimeOffset.UtcNow:O}");
            await Task.Delay(100);
        }
        await Eventually.Until(() => Task.FromResult(string.Join(",", Enumerable.Range(11, 30).Where(n => !received.Contains(n)))),
            missing => missing.Length == 0, TimeSpan.FromSeconds(60), "every change after the handover is notified (missing listed)");
        Assert.False(api1Process.HasExited);

        // Once taken over, one process sends: a later change is notified once.
        Assert.Equal(HttpStatusCode.Created, await Post(api1, "/entities", Kiosk(41)));
        await Eventually.Until(() => Task.FromResult(received.Contains(41)), seen => seen, TimeSpan.FromSeconds(30), "API 1 notifies");
        Assert.Equal(1, received.Count(v => v == 41));
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            var log = process.Output;
            output.WriteLine($"--- {process.Name} ---\n{log[^Math.Min(log.Length, 6000)..]}");
            process.Dispose();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A process may hold the database a moment longer; the temp folder is cleaned by the OS.
        }
    }
}
