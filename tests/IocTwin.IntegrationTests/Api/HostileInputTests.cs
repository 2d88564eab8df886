using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Api;

public sealed class HostileInputFactory : QuietTwinFactory;

[CollectionDefinition(Name)]
public sealed class HostileInputCollection : ICollectionFixture<HostileInputFactory>
{
    public const string Name = "hostile input";
}

/// <summary>
/// Thousands of malformed, oversized, wrongly typed and injection-looking payloads against every write endpoint and the
/// hub: each is refused with a 4xx or a hub error, the process stays up, and the twin does not change.
/// </summary>
[Collection(HostileInputCollection.Name)]
public sealed class HostileInputTests(HostileInputFactory api)
{
    private static readonly string[] Nasty =
    [
        "'; DROP TABLE OrleansStorage; --", "\" OR 1=1 --", "<script>alert(1)</script>", "../../../../etc/passwd", "${jndi:ldap://x/a}",
        "%00", "\u0000\u0001\u0002", "NaN", "Infinity", "-Infinity", "1e999", "9".PadLeft(400, '9'), "🙂🙃", "ｈａｉ－ｃｈａｕ",
        "hai-chau\n", " hai-chau", "HAI-CHAU?", "{}", "[]", "null", "true", new string('x', 5000), "\\u0041", "district:",
    ];

    private static string RandomJson(Random random, int depth = 0)
    {
        var pick = depth > 3 ? random.Next(5) : random.Next(9);
        return pick switch
        {
            0 => JsonSerializer.Serialize(Nasty[random.Next(Nasty.Length)]),
            1 => random.Next(4) switch { 0 => "-1", 1 => "1e308", 2 => "0", _ => "-0.0000001" },
            2 => random.Next(2) == 0 ? "true" : "null",
            3 => JsonSerializer.Serialize(new string((char)random.Next(32, 0x2FFF), random.Next(0, 300))),
            4 => "\"2026-13-45T99:99:99Z\"",
            5 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(6)).Select(_ =>
                     $"{JsonSerializer.Serialize(Field(random))}:{RandomJson(random, depth + 1)}")) + "}",
        };
    }

    private static string Field(Random random) => random.Next(3) == 0
        ? Nasty[random.Next(Nasty.Length)]
        : new[] { "name", "kind", "sector", "location", "districtId", "segmentId", "geometry", "lanes", "capacityVph", "freeFlowSpeedKmh",
            "status", "boundary", "sensorId", "timestamp", "values", "type", "features", "role", "districts", "horizonMinutes",
            "stepSeconds", "baseline", "segmentId", "value", "startMinute" }[random.Next(25)];

    private static string Mangle(Random random, string json) => random.Next(6) switch
    {
        0 => json[..random.Next(json.Length + 1)],
        1 => new string('[', 2000) + new string(']', 2000),
        2 => "\uFEFF" + json.Replace('"', '\''),
        3 => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)),
        _ => json,
    };

    [Fact]
    public async Task Every_write_endpoint_refuses_garbage_stays_up_and_changes_nothing()
    {
        var storedBefore = await api.SettledStoredState();
        var liveBefore = await api.LiveTwinJson();
        var readingsBefore = api.StoredReadings();
        var scenario = (string)(await (await api.Http.PostJson("/api/v1/scenarios", """{ "name": "probe" }""")).ReadObject())["id"]!;
        var random = new Random(20261125);
        string[] targets =
        [
            "PUT /api/v1/sensors/{id}", "PUT /api/v1/segments/{id}", "PUT /api/v1/districts/{id}", "POST /api/v1/import",
            "POST /api/v1/readings", "POST /api/v1/scenarios", $"POST /api/v1/scenarios/{scenario}/interventions", "POST /api/v1/dev/token",
            "POST /api/v1/alerts/{id}/ack", "POST /api/v1/alerts/{id}/resolve", "PUT /api/v1/alert-rules/{id}", "DELETE /api/v1/alert-rules/{id}",
            "POST /api/v1/scenarios/{id}/run", "DELETE /api/v1/scenarios/{id}",
        ];

        var outcomes = new List<string>();
        for (var batch = 0; batch < 150; batch++)
        {
            var requests = Enumerable.Range(0, 16).Select(async _ =>
            {
                string target, body, contentType;
                lock (random)
                {
                    target = targets[random.Next(targets.Length)];
                    body = Mangle(random, RandomJson(random));
                    contentType = random.Next(10) == 0 ? "text/plain" : "application/json";
                    target = target.Replace("{id}", Uri.EscapeDataString(Nasty[random.Next(Nasty.Length)]));
                }
                var (method, path) = (target[..target.IndexOf(' ')], target[(target.IndexOf(' ') + 1)..]);
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
                using var response = await api.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var ok = (int)response.StatusCode is >= 400 and < 500
                    // A batch of readings answers item by item: garbage items are rejected, none accepted.
                    || (path.EndsWith("/readings") && response.StatusCode == HttpStatusCode.Accepted && text.Contains("\"accepted\":0"));
                return ok ? null : $"{target} {(int)response.StatusCode} for {body[..Math.Min(body.Length, 200)]}: {text[..Math.Min(text.Length, 300)]}";
            });
            outcomes.AddRange((await Task.WhenAll(requests)).OfType<string>());
        }

        Assert.Empty(outcomes);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/ready")).StatusCode);
        await Task.Delay(500);
        Assert.Equal(liveBefore, await api.LiveTwinJson());
        Assert.Equal(storedBefore, api.StoredLiveState());
        Assert.Equal(readingsBefore, api.StoredReadings());
        var probe = await (await api.Http.GetAsync($"/api/v1/scenarios/{scenario}")).ReadObject();
        Assert.Empty(probe["interventions"]!.AsArray());
    }

    private static readonly string[] HostileQueryValues =
    [
        "", " ", "0", "-1", "-0", "1e12", "1e308", "-1e308", "1e-308", "NaN", "Infinity", "-Infinity", "2147483648", "-9223372036854775809",
        "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z",
        "P99999999D", "P10675199DT2H48M5.4775808S", "-PT1M", "PT0S", "P1Y", "🙂🙃", "ｈａｉ－ｃｈａｕ", "\u0000", "%00", "'; DROP TABLE twin_kpi; --",
        new string('9', 10_000), new string('x', 10_000), string.Concat(Enumerable.Repeat("🙂", 3_000)),
    ];

    [Fact]
    public async Task Every_query_parameter_of_the_reads_refuses_hostile_values_without_a_5xx()
    {
        var sensor = (await api.Http.GetFromJsonAsync<List<IocTwin.Model.SensorView>>("/api/v1/districts/hai-chau/sensors", TwinJson.Options))![0];
        var segment = sensor.SegmentId ?? "no-segment";
        (string Path, string[] Parameters)[] reads =
        [
            ($"/api/v1/sensors/{sensor.Id}/history", ["from", "to", "step", "limit"]),
            ($"/api/v1/segments/{segment}/history", ["from", "to", "step", "limit"]),
            ("/api/v1/districts/hai-chau/history", ["from", "to", "step", "limit"]),
            ("/api/v1/city/at", ["time"]),
            ("/api/v1/sensors/{id}", ["id"]), ("/api/v1/segments/{id}", ["id"]), ("/api/v1/districts/{id}", ["id"]),
            ("/api/v1/districts/{id}/segments", ["id"]), ("/api/v1/districts/{id}/sensors", ["id"]), ("/api/v1/sensors/{id}/history", ["id"]),
        ];

        // A caller per parameter, one request at a time: each stays within its own rate budget, so every value reaches the endpoint.
        var failures = await Task.WhenAll(reads.SelectMany(read => read.Parameters.Select(async parameter =>
        {
            using var caller = api.As($"hostile-{read.Path}-{parameter}");
            var found = new List<string>();
            foreach (var value in HostileQueryValues)
            {
                var escaped = Uri.EscapeDataString(value);
                var url = parameter == "id" ? read.Path.Replace("{id}", escaped) : $"{read.Path}?{parameter}={escaped}";
                using var response = await caller.GetAsync(url);
                if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    found.Add($"{url[..Math.Min(url.Length, 120)]}: {(int)response.StatusCode}");
                }
            }
            return found;
        })));

        Assert.Empty(failures.SelectMany(f => f));
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/ready")).StatusCode);
    }

    private static string RandomCsv(Random random)
    {
        string Cell() => random.Next(5) switch
        {
            0 => Nasty[random.Next(Nasty.Length)],
            1 => "\"" + Nasty[random.Next(Nasty.Length)].Replace("\"", "\"\"") + "\"",
            2 => random.Next(3) switch { 0 => "sen-noise-001", 1 => "2026-13-45T99:99:99Z", _ => "1e999" },
            3 => new string((char)random.Next(1, 0x2FFF), random.Next(0, 40)),
            _ => random.Next(2) == 0 ? "\"" : "",
        };
        var header = random.Next(4) switch
        {
            0 => "sensorId,timestamp,name,value",
            1 => "sensorId,timestamp," + string.Join(",", Enumerable.Range(0, random.Next(1, 70)).Select(_ => Cell())),
            2 => string.Join(",", Enumerable.Range(0, random.Next(1, 6)).Select(_ => Cell())),
            _ => "sensorId,timestamp,db",
        };
        var rows = Enumerable.Range(0, random.Next(0, 20)).Select(_ => string.Join(",", Enumerable.Range(0, random.Next(1, 6)).Select(_ => Cell())));
        return Mangle(random, header + (random.Next(2) == 0 ? "\r\n" : "\n") + string.Join("\n", rows));
    }

    [Fact]
    public async Task The_csv_import_refuses_garbage_and_imports_nothing_of_it()
    {
        // Everything the import takes goes to history first: history unchanged means nothing was imported.
        var readingsBefore = api.StoredReadings();
        var random = new Random(20261126);

        var outcomes = new List<string>();
        for (var batch = 0; batch < 60; batch++)
        {
            var requests = Enumerable.Range(0, 16).Select(async _ =>
            {
                string body;
                lock (random)
                {
                    body = RandomCsv(random);
                }
                using var response = await api.Http.PostAsync("/api/v1/import/readings", new StringContent(body, Encoding.UTF8, "text/csv"));
                var text = await response.Content.ReadAsStringAsync();
                var ok = (int)response.StatusCode is >= 400 and < 500
                    || (response.StatusCode == HttpStatusCode.OK && text.Contains("\"accepted\":0"));
                return ok ? null : $"{(int)response.StatusCode} for {body[..Math.Min(body.Length, 200)]}: {text[..Math.Min(text.Length, 300)]}";
            });
            outcomes.AddRange((await Task.WhenAll(requests)).OfType<string>());
        }

        Assert.Empty(outcomes);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(readingsBefore, api.StoredReadings());
    }

    [Fact]
    public async Task The_hub_answers_garbage_with_errors_and_keeps_serving()
    {
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(api.Http.BaseAddress!, "/hubs/twin"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(api.Token(TwinRoles.Ioc)))
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        await hub.StartAsync();
        var random = new Random(7);

        for (var i = 0; i < 300; i++)
        {
            var scope = random.Next(3) switch
            {
                0 => Nasty[random.Next(Nasty.Length)],
                1 => $"{new[] { "district", "entity", "sector", "scenario", "x" }[random.Next(5)]}:{Nasty[random.Next(Nasty.Length)]}",
                _ => new string((char)random.Next(32, 0x2FFF), random.Next(0, 2000)),
            };
            await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("Subscribe", scope));
        }
        await Assert.ThrowsAnyAsync<Exception>(() => hub.InvokeAsync<JsonElement>("Subscribe", 42, "extra"));
        await Assert.ThrowsAnyAsync<Exception>(() => hub.InvokeAsync<JsonElement>("DropAllTables"));

        var snapshot = await hub.InvokeAsync<JsonElement>("Subscribe", "district:hai-chau");
        Assert.Equal("district:hai-chau", snapshot.GetProperty("scope").GetString());
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }
}
