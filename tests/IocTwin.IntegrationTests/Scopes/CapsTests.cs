using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Scopes.ScopesTwinFactory;

namespace IocTwin.Tests.Scopes;

/// <summary>Scenarios, their runs and alert rules are capped, per operator and in all, with a clear answer.</summary>
[Collection(ScopesCollection.Name)]
public sealed class CapsTests(ScopesTwinFactory api) : IAsyncLifetime
{
    public Task InitializeAsync() => api.DeleteAllScenarios();

    public Task DisposeAsync() => api.DeleteAllScenarios();

    [Fact]
    public async Task Scenarios_are_capped_per_creator_and_in_all_with_a_409()
    {
        using var lan = api.Operator("Lan", TwinRoles.Ioc);
        for (var i = 0; i < ScenariosPerCreator; i++)
        {
            await CreateScenario(lan, $"Lan's {i}");
        }

        var refused = await lan.PostJson("/api/v1/scenarios", """{ "name": "one too many" }""");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("delete one", (string)(await refused.ReadObject())["detail"]!);
        // Someone else still may, until the twin holds as many as it keeps.
        var others = Enumerable.Range(0, ScenariosInAll - ScenariosPerCreator).Select(i => api.Operator($"operator {i}", TwinRoles.Ioc)).ToList();
        foreach (var other in others)
        {
            await CreateScenario(other);
        }
        using var late = api.Operator("Late", TwinRoles.Ioc);
        var full = await late.PostJson("/api/v1/scenarios", """{ "name": "the twin is full" }""");
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
        Assert.Equal(ScenariosInAll, (await lan.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Count);

        // Deleting one makes room again.
        var first = (await lan.Get<List<ScenarioSummary>>("/api/v1/scenarios")).First(s => s.Name.StartsWith("Lan's", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NoContent, (await lan.DeleteAsync($"/api/v1/scenarios/{first.Id}")).StatusCode);
        await CreateScenario(lan, "room again");
        others.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task Runs_are_capped_per_operator_and_in_all_with_a_429_and_a_retry_after()
    {
        using var lan = api.Operator("Lan", TwinRoles.Ioc);
        using var minh = api.Operator("Minh", TwinRoles.Ioc);
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        // As long as a scenario may be (a day in 10 s steps), to be running still when the next request comes.
        var lans = await CreateScenario(lan, "long", horizon: 1440, step: 10);
        var lans2 = await CreateScenario(lan, "long too", horizon: 1440, step: 10);
        var minhs = await CreateScenario(minh, "long", horizon: 1440, step: 10);
        var ocs = await CreateScenario(oc, "short");

        Assert.Equal(HttpStatusCode.Accepted, (await lan.PostAsync($"/api/v1/scenarios/{lans}/run", null)).StatusCode);
        var second = await lan.PostAsync($"/api/v1/scenarios/{lans2}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, (await minh.PostAsync($"/api/v1/scenarios/{minhs}/run", null)).StatusCode);
        var third = await oc.PostAsync($"/api/v1/scenarios/{ocs}/run", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), second.Headers.RetryAfter?.Delta);
        if (third.StatusCode == HttpStatusCode.Accepted)
        {
            // Taken only if one of the two runs had already ended and freed its slot.
            var ended = await Task.WhenAll(new[] { (lan, lans), (minh, minhs) }.Select(async r =>
                (string)(await (await r.Item1.GetAsync($"/api/v1/scenarios/{r.Item2}")).ReadObject())["status"]! is "completed" or "failed"));
            Assert.Contains(true, ended);
        }
        else
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.NotNull(third.Headers.RetryAfter);
        }
        Assert.Equal("draft", (string)(await (await lan.GetAsync($"/api/v1/scenarios/{lans2}")).ReadObject())["status"]!);

        // Once the runs end, their slots are free again.
        foreach (var (client, id) in new[] { (lan, lans), (minh, minhs) })
        {
            await Eventually.Until(async () => await (await client.GetAsync($"/api/v1/scenarios/{id}")).ReadObject(),
                s => (string)s["status"]! is "completed" or "failed", TimeSpan.FromSeconds(180), "the long run ends");
        }
        if (third.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.Equal("completed", (string)(await RunToEnd(oc, ocs))["status"]!);
        }
    }

    [Fact]
    public async Task Deleting_a_running_scenario_stops_its_run_and_frees_its_slot()
    {
        using var lan = api.Operator("Lan", TwinRoles.Ioc);
        using var minh = api.Operator("Minh", TwinRoles.Ioc);
        // Two runs as long as a scenario may be, started together: Minh's shows how long Lan's would have lasted.
        var lans = await CreateScenario(lan, "long", horizon: 1440, step: 10);
        var minhs = await CreateScenario(minh, "long", horizon: 1440, step: 10);
        var next = await CreateScenario(lan, "next");
        Assert.Equal(HttpStatusCode.Accepted, (await lan.PostAsync($"/api/v1/scenarios/{lans}/run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await minh.PostAsync($"/api/v1/scenarios/{minhs}/run", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await lan.DeleteAsync($"/api/v1/scenarios/{lans}")).StatusCode);

        // Lan's next run is let in once the deleted one has stopped, while Minh's still runs.
        await Eventually.Until(async () => (await lan.PostAsync($"/api/v1/scenarios/{next}/run", null)).StatusCode,
            status => status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), "the deleted run frees its slot");
        Assert.Equal("running", (string)(await (await minh.GetAsync($"/api/v1/scenarios/{minhs}")).ReadObject())["status"]!);

        // Minh's stops when deleted too: his next run is let in, and no run is left behind for the tests after this one.
        var minhsNext = await CreateScenario(minh, "next");
        Assert.Equal(HttpStatusCode.NoContent, (await minh.DeleteAsync($"/api/v1/scenarios/{minhs}")).StatusCode);
        await Eventually.Until(async () => (await minh.PostAsync($"/api/v1/scenarios/{minhsNext}/run", null)).StatusCode,
            status => status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), "the deleted run frees its slot");
        foreach (var (client, id) in new[] { (lan, next), (minh, minhsNext) })
        {
            var ended = await Eventually.Until(async () => await (await client.GetAsync($"/api/v1/scenarios/{id}")).ReadObject(),
                s => (string)s["status"]! is "completed" or "failed", TimeSpan.FromSeconds(120), "the short run ends");
            Assert.Equal("completed", (string)ended["status"]!);
        }
    }

    [Fact]
    public async Task Alert_rules_are_capped_with_a_409_and_an_existing_rule_still_changes()
    {
        var rules = await api.Http.Get<List<AlertRule>>("/api/v1/alert-rules");
        var added = new List<string>();
        try
        {
            for (var i = rules.Count; i < MaxRules; i++)
            {
                var id = $"cap-{i}";
                Assert.Equal(HttpStatusCode.OK, (await api.Http.PutJson($"/api/v1/alert-rules/{id}", Rule("fills up"))).StatusCode);
                added.Add(id);
            }

            var refused = await api.Http.PutJson("/api/v1/alert-rules/one-too-many", Rule("one too many"));

            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains($"at most {MaxRules}", (string)(await refused.ReadObject())["detail"]!);
            Assert.DoesNotContain("one-too-many", (await api.Http.Get<List<AlertRule>>("/api/v1/alert-rules")).Select(r => r.Id));
            Assert.Equal(HttpStatusCode.OK, (await api.Http.PutJson($"/api/v1/alert-rules/{rules[0].Id}", Rule("changed in place"))).StatusCode);
        }
        finally
        {
            foreach (var id in added)
            {
                await api.Http.DeleteAsync($"/api/v1/alert-rules/{id}");
            }
            await api.Http.PutJson($"/api/v1/alert-rules/{rules[0].Id}", System.Text.Json.JsonSerializer.Serialize(rules[0], IocTwin.Api.Json.TwinJson.Options));
        }
    }

    private static string Rule(string name) => $$"""{ "name": "{{name}}", "metric": "aqi", "threshold": 400, "kind": "air-quality" }""";
}
