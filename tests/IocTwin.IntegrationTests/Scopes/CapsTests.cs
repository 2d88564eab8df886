using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Scopes.ScopesTwinFactory;

namespace IocTwin.Tests.Scopes;

/// <summary>Scenarios, their runs and alert rules are capped, per operator and in all, with a clear answer.</summary>
[Collection(CapsCollection.Name)]
public sealed class CapsTests(CapsTwinFactory api) : IAsyncLifetime
{
    public Task InitializeAsync() => api.DeleteAllScenariosAndTheirRuns();

    public Task DisposeAsync() => api.DeleteAllScenariosAndTheirRuns();

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
        using var oc = api.Operator("District 1 desk", TwinRoles.DistrictOc, districts: [api.City.Districts[0].Id]);
        var lans = await LongScenario(lan, "long");
        var lans2 = await LongScenario(lan, "long too");
        var minhs = await LongScenario(minh, "long");
        var ocs = await CreateScenario(oc, "short");

        Assert.Equal(HttpStatusCode.Accepted, (await lan.PostAsync($"/api/v1/scenarios/{lans}/run", null)).StatusCode);
        var second = await lan.PostAsync($"/api/v1/scenarios/{lans2}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, (await minh.PostAsync($"/api/v1/scenarios/{minhs}/run", null)).StatusCode);
        var third = await oc.PostAsync($"/api/v1/scenarios/{ocs}/run", null);

        // Lan runs as many as one operator may; the OC's desk finds the twin running as many as it may.
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), second.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), third.Headers.RetryAfter?.Delta);
        Assert.Equal("draft", (string)(await (await lan.GetAsync($"/api/v1/scenarios/{lans2}")).ReadObject())["status"]!);

        // Minh's slot, freed by deleting his run, lets the desk's in; once that run ends by itself, its slot is free too.
        Assert.Equal(HttpStatusCode.NoContent, (await minh.DeleteAsync($"/api/v1/scenarios/{minhs}")).StatusCode);
        await Eventually.Until(async () => (await oc.PostAsync($"/api/v1/scenarios/{ocs}/run", null)).StatusCode,
            status => status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), "the deleted run frees its slot");
        await RunEnds(oc, ocs);
        // Lan's run still holds the other slot, so Minh's next run is let in by the slot the desk's run left.
        Assert.Equal("running", (string)(await (await lan.GetAsync($"/api/v1/scenarios/{lans}")).ReadObject())["status"]!);
        var minhsNext = await CreateScenario(minh, "next");
        Assert.Equal(HttpStatusCode.Accepted, (await minh.PostAsync($"/api/v1/scenarios/{minhsNext}/run", null)).StatusCode);
        await RunEnds(minh, minhsNext);
    }

    [Fact]
    public async Task Deleting_a_running_scenario_stops_its_run_and_frees_its_slot()
    {
        using var lan = api.Operator("Lan", TwinRoles.Ioc);
        using var minh = api.Operator("Minh", TwinRoles.Ioc);
        // Two runs of tens of seconds started together: Minh's shows how long Lan's would have lasted.
        var lans = await LongScenario(lan, "long");
        var minhs = await LongScenario(minh, "long");
        var next = await CreateScenario(lan, "next");
        Assert.Equal(HttpStatusCode.Accepted, (await lan.PostAsync($"/api/v1/scenarios/{lans}/run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await minh.PostAsync($"/api/v1/scenarios/{minhs}/run", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await lan.DeleteAsync($"/api/v1/scenarios/{lans}")).StatusCode);

        // Lan's next run is let in once the deleted one has stopped, while Minh's still runs.
        await Eventually.Until(async () => (await lan.PostAsync($"/api/v1/scenarios/{next}/run", null)).StatusCode,
            status => status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), "the deleted run frees its slot");
        Assert.Equal("running", (string)(await (await minh.GetAsync($"/api/v1/scenarios/{minhs}")).ReadObject())["status"]!);

        // Minh's stops when deleted too: his next run is let in.
        var minhsNext = await CreateScenario(minh, "next");
        Assert.Equal(HttpStatusCode.NoContent, (await minh.DeleteAsync($"/api/v1/scenarios/{minhs}")).StatusCode);
        await Eventually.Until(async () => (await minh.PostAsync($"/api/v1/scenarios/{minhsNext}/run", null)).StatusCode,
            status => status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), "the deleted run frees its slot");
        await RunEnds(lan, next);
        await RunEnds(minh, minhsNext);
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

    /// <summary>A scenario of a whole day in 10 s steps on the dynamic model: tens of seconds of run on this city.</summary>
    private static Task<string> LongScenario(HttpClient client, string name) =>
        CreateScenario(client, name, horizon: 1440, step: 10, model: "dynamic");

    private static async Task RunEnds(HttpClient client, string id)
    {
        var ended = await Eventually.Until(async () => await (await client.GetAsync($"/api/v1/scenarios/{id}")).ReadObject(),
            s => (string)s["status"]! is "completed" or "failed", TimeSpan.FromSeconds(120), "the short run ends");
        Assert.Equal("completed", (string)ended["status"]!);
    }

    private static string Rule(string name) => $$"""{ "name": "{{name}}", "metric": "aqi", "threshold": 400, "kind": "air-quality" }""";
}
