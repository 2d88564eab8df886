using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>Callers of their own: each has its own rate-limit budget, apart from the shared test client's.</summary>
public static class Callers
{
    public static HttpClient As(this TwinApiFactory api, string name, string role = TwinRoles.Ioc)
    {
        var client = api.CreateClient();
        var token = api.Services.GetRequiredService<TokenIssuer>().Issue(name, role, [], [], TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

/// <summary>What a read may cost: unknown ids, long history windows, oversized and wrongly typed bodies.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class LimitsTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task Reads_of_unknown_ids_answer_404_without_activating_grains()
    {
        using var prober = api.As("prober");
        var management = api.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        string[] reads = ["/api/v1/sensors/{0}", "/api/v1/segments/{0}", "/api/v1/districts/{0}", "/api/v1/districts/{0}/segments", "/api/v1/districts/{0}/sensors"];
        string[] histories = ["/api/v1/sensors/{0}/history", "/api/v1/segments/{0}/history", "/api/v1/districts/{0}/history"];
        // 1,000 reads of the live twin, and history queries within a caller's history budget.
        var paths = Enumerable.Range(0, 1_000).Select(i => reads[i % reads.Length]).Concat(Enumerable.Range(0, 60).Select(i => histories[i % histories.Length]));
        // Warm: the first read of the topology may itself activate what the city's districts hold.
        Assert.Equal(HttpStatusCode.NotFound, (await prober.GetAsync("/api/v1/sensors/warm-up")).StatusCode);
        var before = await management.GetTotalActivationCount();

        var answers = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (template, ct) =>
        {
            using var response = await prober.GetAsync(string.Format(template, "probe-" + Guid.NewGuid().ToString("N")), ct);
            answers.Add(response.StatusCode);
        });

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.NotFound, status));
        var after = await management.GetTotalActivationCount();
        Assert.True(after - before < 20, $"{after - before} grains were activated by reads of unknown ids");
        // Known ids still answer, and something registered a moment ago is known at once.
        var sensor = (await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors"))[0];
        Assert.Equal(HttpStatusCode.OK, (await prober.GetAsync($"/api/v1/sensors/{sensor.Id}")).StatusCode);
        var put = await Http.PutJson("/api/v1/sensors/limits-new-sensor",
            $$"""{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "districtId": "hai-chau" }""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await prober.GetAsync("/api/v1/sensors/limits-new-sensor")).StatusCode);
    }

    [Fact]
    public async Task Hub_subscriptions_to_unknown_entities_and_districts_are_refused_without_activating_grains()
    {
        var management = api.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var token = api.Services.GetRequiredService<TokenIssuer>().Issue("hub-prober", TwinRoles.Viewer, [], [], TimeSpan.FromHours(1));
        await using var screen = await Streaming.LiveScreen.ConnectAsync(api, token);
        await Assert.ThrowsAsync<HubException>(() => screen.Connection.InvokeAsync<object>("Subscribe", "entity:warm-up"));
        var before = await management.GetTotalActivationCount();

        for (var i = 0; i < 300; i++)
        {
            var scope = (i % 2 == 0 ? "entity:probe-" : "district:probe-") + Guid.NewGuid().ToString("N");
            await Assert.ThrowsAsync<HubException>(() => screen.Connection.InvokeAsync<object>("Subscribe", scope));
        }

        var after = await management.GetTotalActivationCount();
        Assert.True(after - before < 20, $"{after - before} grains were activated by subscriptions to unknown ids");
        var sensor = (await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors"))[0];
        await screen.Connection.InvokeAsync<object>("Subscribe", $"entity:{sensor.Id}");
    }

    [Theory]
    [InlineData("/api/v1/sensors/{0}")]
    [InlineData("/api/v1/segments/{0}/history")]
    [InlineData("/api/v1/districts/{0}/sensors")]
    public async Task Reads_of_ids_that_cannot_be_ids_answer_400(string path)
    {
        foreach (var id in new[] { "a b", "<script>", "🙂", new string('x', 200) })
        {
            var response = await Http.GetAsync(string.Format(path, Uri.EscapeDataString(id)));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("id", (string)(await response.ReadObject())["field"]!);
        }
    }

    [Fact]
    public async Task A_long_history_window_is_paged_and_the_pages_join_to_the_whole()
    {
        var sensor = (await Http.Get<List<SensorView>>("/api/v1/districts/thanh-khe/sensors")).First(s => s.Kind == SensorKind.Noise);
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-50);
        var readings = Enumerable.Range(0, 12).Select(i => Reading(sensor.Id, start.AddSeconds(i * 50), new { db = 40 + i })).ToArray();
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostReadings(readings)).StatusCode);
        // Not on a minute: the pages still cut between whole buckets.
        var window = $"from={Uri.EscapeDataString(start.AddSeconds(30).ToString("O"))}&to={Uri.EscapeDataString(start.AddMinutes(10).ToString("O"))}&step=PT1M";

        var whole = await (await Http.GetAsync($"/api/v1/sensors/{sensor.Id}/history?{window}")).ReadObject();
        var pages = new List<JsonObject>();
        string? next = $"/api/v1/sensors/{sensor.Id}/history?{window}&limit=3";
        while (next is not null)
        {
            var response = await Http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.ReadObject();
            pages.Add(page);
            next = (string?)page["next"];
        }

        Assert.Null(whole["next"]);
        Assert.Equal(10, whole["buckets"]!.AsArray().Count);
        Assert.Equal(4, pages.Count);
        Assert.All(pages, page => Assert.True(page["buckets"]!.AsArray().Count <= 3));
        var joined = new JsonArray([.. pages.SelectMany(p => p["buckets"]!.AsArray()).Select(b => b!.DeepClone())]);
        Assert.Equal(whole["buckets"]!.ToJsonString(), joined.ToJsonString());
    }

    [Theory]
    [InlineData("PUT", "/api/v1/segments/limits-road", """{ "name": "r", "districtId": "hai-chau", "fromNode": "a", "toNode": "b", "geometry": [[108.2, 16.05], [108.21, 16.05]], "lanes": "2" }""", "lanes")]
    [InlineData("PUT", "/api/v1/alert-rules/limits-rule", """{ "name": "loud", "metric": "db", "threshold": "85" }""", "threshold")]
    [InlineData("POST", "/api/v1/scenarios", """{ "name": "strings", "horizonMinutes": "60" }""", "horizonMinutes")]
    [InlineData("PUT", "/api/v1/sensors/limits-strings", """{ "kind": "noise", "sector": "environment", "location": ["108.2", "16.05"], "districtId": "hai-chau" }""", "location")]
    public async Task Numbers_sent_as_strings_are_refused_naming_the_field(string method, string path, string body, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var scenariosBefore = await Http.GetStringAsync("/api/v1/scenarios");
        var rulesBefore = await Http.GetStringAsync("/api/v1/alert-rules");

        var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(await response.ProblemFields(), f => f.StartsWith(field, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/segments/limits-road")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/sensors/limits-strings")).StatusCode);
        Assert.Equal(scenariosBefore, await Http.GetStringAsync("/api/v1/scenarios"));
        Assert.Equal(rulesBefore, await Http.GetStringAsync("/api/v1/alert-rules"));
    }

    [Fact]
    public async Task A_reading_value_sent_as_a_string_is_rejected()
    {
        var sensor = (await Http.Get<List<SensorView>>("/api/v1/districts/thanh-khe/sensors")).First(s => s.Kind == SensorKind.Noise);

        var response = await Http.PostReadings(Reading(sensor.Id, DateTimeOffset.UtcNow, new { db = "55" }));

        var body = await response.ReadObject();
        Assert.Equal(0, (int)body["accepted"]!);
        Assert.StartsWith("values", (string)body["rejected"]![0]!["field"]!);
    }

    [Theory]
    [InlineData("POST", "/api/v1/readings", "application/json")]
    [InlineData("POST", "/api/v1/import/readings", "text/csv")]
    [InlineData("POST", "/api/v1/import", "application/json")]
    [InlineData("PUT", "/api/v1/sensors/limits-huge", "application/json")]
    [InlineData("POST", "/api/v1/scenarios", "application/json")]
    [InlineData("PUT", "/api/v1/alert-rules/limits-huge", "application/json")]
    public async Task Bodies_over_the_size_limit_answer_413(string method, string path, string contentType)
    {
        // Kestrel's limit is 30,000,000 bytes: a JSON string a little longer. Sent as curl sends large bodies, after
        // "100 Continue": a server that refuses the body answers before it is sent.
        var huge = "[\"" + new string('x', 31_000_000) + "\"]";
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(huge, Encoding.UTF8, contentType) };
        request.Headers.ExpectContinue = true;

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(413, (int)(await response.ReadObject())["status"]!);
    }
}
