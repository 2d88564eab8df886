using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Model;
using IocTwin.Tests.Api;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static IocTwin.Tests.Scopes.ScopesTwinFactory;

namespace IocTwin.Tests.Scopes;

/// <summary>A scenario is its creator's and the IOC's: an OC sees and changes only its own, and only its scope of them.</summary>
[Collection(ScopesCollection.Name)]
public sealed class ScenarioOwnershipTests(ScopesTwinFactory api) : IAsyncLifetime
{
    public Task InitializeAsync() => api.DeleteAllScenarios();

    public Task DisposeAsync() => api.DeleteAllScenarios();

    [Fact]
    public async Task A_district_OC_lists_none_of_the_IOCs_scenarios_and_gets_404_for_each()
    {
        using var ioc = api.Operator("Lan", TwinRoles.Ioc);
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        var id = await CreateScenario(ioc, "the IOC's own");

        Assert.DoesNotContain(id, (await oc.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Select(s => s.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await oc.GetAsync($"/api/v1/scenarios/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await oc.PostAsync($"/api/v1/scenarios/{id}/run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await oc.PostJson($"/api/v1/scenarios/{id}/interventions",
            """{ "kind": "rain", "districtId": "hai-chau", "value": 50 }""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await oc.DeleteAsync($"/api/v1/scenarios/{id}")).StatusCode);
        // Refused as unknown, and left as it was.
        var kept = await (await ioc.GetAsync($"/api/v1/scenarios/{id}")).ReadObject();
        Assert.Equal("draft", (string)kept["status"]!);
        Assert.Empty(kept["interventions"]!.AsArray());
        // A viewer reads every scenario, as it reads the whole twin.
        using var viewer = api.Operator("Wall", TwinRoles.Viewer);
        Assert.Contains(id, (await viewer.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Select(s => s.Id));
    }

    [Fact]
    public async Task An_OCs_dynamic_scenario_shows_only_the_queues_on_its_roads_and_none_of_the_city_queue_figures()
    {
        using var ioc = api.Operator("Lan", TwinRoles.Ioc);
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        var haiChau = (await oc.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments")).Select(s => s.Spec!.Id).ToHashSet();
        var id = await CreateScenario(oc, "one of ours down to a lane", horizon: 30, model: "dynamic");
        Assert.Equal(HttpStatusCode.OK, (await oc.PostJson($"/api/v1/scenarios/{id}/interventions",
            $$"""{ "kind": "incident", "segmentId": "{{haiChau.First()}}", "value": 0.9 }""")).StatusCode);

        var own = await RunToEnd(oc, id);

        Assert.Equal("completed", (string)own["status"]!);
        var queues = own["report"]!["queues"]!;
        Assert.All(queues["worst"]!.AsArray(), q => Assert.Contains((string)q!["segmentId"]!, haiChau));
        Assert.All(queues["extents"]!.AsArray(), q => Assert.Contains((string)q!["segmentId"]!, haiChau));
        Assert.Null(queues["queuedVehicles"]);
        Assert.Null(queues["longestQueueM"]);
        Assert.Null(queues["spillbackDelayVehHours"]);
        Assert.Null(queues["vehiclesDelayedBySpillback"]);

        // The IOC sees the city's queue figures of the same run.
        var whole = (await (await ioc.GetAsync($"/api/v1/scenarios/{id}")).ReadObject())["report"]!["queues"]!;
        Assert.Equal(30, whole["queuedVehicles"]!.AsArray().Count);
        Assert.NotNull(whole["spillbackDelayVehHours"]);
    }

    [Fact]
    public async Task An_OCs_own_scenario_report_holds_no_road_or_district_outside_its_scope_nor_the_city_figures()
    {
        using var ioc = api.Operator("Lan", TwinRoles.Ioc);
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        // Another district's road closed in the live twin: the fork keeps it closed.
        var sonTra = (await ioc.Get<List<SegmentView>>("/api/v1/districts/son-tra/segments"))[0];
        Assert.Equal(HttpStatusCode.OK, (await ioc.PutJson($"/api/v1/segments/{sonTra.Spec!.Id}",
            JsonSerializer.Serialize(sonTra.Spec with { Status = SegmentStatus.Closed }, TwinJson.Options))).StatusCode);
        try
        {
            var haiChau = (await oc.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments")).Select(s => s.Spec!.Id).ToHashSet();
            var id = await CreateScenario(oc, "close one of ours");
            var intervene = await oc.PostJson($"/api/v1/scenarios/{id}/interventions",
                $$"""{ "kind": "close-segment", "segmentId": "{{haiChau.First()}}" }""");
            Assert.Equal(HttpStatusCode.OK, intervene.StatusCode);

            var own = await RunToEnd(oc, id);

            Assert.Equal("completed", (string)own["status"]!);
            var report = own["report"]!;
            Assert.NotEmpty(report["segments"]!.AsArray());
            Assert.All(report["segments"]!.AsArray(), s => Assert.Contains((string)s!["segmentId"]!, haiChau));
            Assert.Contains(haiChau.First(), Ids(report["closedSegmentIds"]));
            Assert.All(Ids(report["closedSegmentIds"]).Concat(Ids(report["floodedSegmentIds"])), s => Assert.Contains(s, haiChau));
            Assert.All(report["delta"]!["districts"]!.AsArray(), d => Assert.Equal("hai-chau", (string)d!["districtId"]!));
            Assert.All(report["delta"]!["mostAffectedSegments"]!.AsArray(), s => Assert.Equal("hai-chau", (string)s!["districtId"]!));
            Assert.All(report["delta"]!["odPairs"]!.AsArray(), p =>
                Assert.Equal(("hai-chau", "hai-chau"), ((string)p!["originDistrictId"]!, (string)p["destinationDistrictId"]!)));
            // City-wide figures are the IOC's, as the live city view is.
            Assert.Null(report["steps"]);
            Assert.Null(report["baseline"]);
            Assert.Null(report["delta"]!["totalDelayVehHours"]);

            // The IOC sees the OC's scenario whole, the other district's closed road included.
            Assert.Contains(id, (await ioc.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Select(s => s.Id));
            var whole = await (await ioc.GetAsync($"/api/v1/scenarios/{id}")).ReadObject();
            Assert.Contains(sonTra.Spec!.Id, Ids(whole["report"]!["closedSegmentIds"]));
            Assert.NotNull(whole["report"]!["steps"]);
            Assert.Equal("Hai Chau desk", (string)whole["createdBy"]!["name"]!);
            Assert.Equal(TwinRoles.DistrictOc, (string)whole["createdBy"]!["role"]!);
        }
        finally
        {
            await ioc.PutJson($"/api/v1/segments/{sonTra.Spec!.Id}", JsonSerializer.Serialize(sonTra.Spec, TwinJson.Options));
        }
    }

    [Theory]
    [InlineData("""{ "kind": "close-segment", "segmentId": "{other}" }""", "segmentId")]
    [InlineData("""{ "kind": "rain", "districtId": "son-tra", "value": 50 }""", "districtId")]
    [InlineData("""{ "kind": "demand", "originDistrictId": "hai-chau", "value": 100 }""", "destinationDistrictId")]
    [InlineData("""{ "kind": "demand", "originDistrictId": "son-tra", "destinationDistrictId": "hai-chau", "value": 100 }""", "originDistrictId")]
    public async Task An_OC_may_not_intervene_outside_its_scope(string json, string field)
    {
        using var ioc = api.Operator("Lan", TwinRoles.Ioc);
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        var other = (await ioc.Get<List<SegmentView>>("/api/v1/districts/son-tra/segments"))[0].Spec!.Id;
        var id = await CreateScenario(oc);

        var response = await oc.PostJson($"/api/v1/scenarios/{id}/interventions", json.Replace("{other}", other));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(field, (string)(await response.ReadObject())["field"]!);
        Assert.Empty((await (await oc.GetAsync($"/api/v1/scenarios/{id}")).ReadObject())["interventions"]!.AsArray());
    }

    [Fact]
    public async Task An_OC_may_not_create_a_scenario_whose_first_interventions_reach_outside_its_scope()
    {
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);

        var response = await oc.PostJson("/api/v1/scenarios", """
            { "name": "rain next door", "interventions": [
                { "kind": "rain", "districtId": "hai-chau", "value": 50 },
                { "kind": "rain", "districtId": "son-tra", "value": 50 } ] }
            """);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("interventions[1].districtId", (string)(await response.ReadObject())["field"]!);
        Assert.Empty(await oc.Get<List<ScenarioSummary>>("/api/v1/scenarios"));
    }

    [Fact]
    public async Task The_hub_gives_an_OC_the_progress_of_its_own_scenarios_only()
    {
        using var ioc = api.Operator("Lan", TwinRoles.Ioc);
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        var iocs = await CreateScenario(ioc, "the IOC's");
        var own = await CreateScenario(oc, "ours");
        await using var ocScreen = await api.Screen(api.NamedToken("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]));
        await using var otherOcScreen = await api.Screen(api.NamedToken("Son Tra desk", TwinRoles.DistrictOc, districts: ["son-tra"]));
        await using var iocScreen = await api.Screen(api.NamedToken("Lan", TwinRoles.Ioc));

        var refused = await Assert.ThrowsAsync<HubException>(() => ocScreen.InvokeAsync<JsonElement>("Subscribe", $"scenario:{iocs}"));
        Assert.Contains("Forbidden", refused.Message);
        await Assert.ThrowsAsync<HubException>(() => otherOcScreen.InvokeAsync<JsonElement>("Subscribe", $"scenario:{own}"));
        // Unknown and not allowed read the same to an OC.
        var unknown = await Assert.ThrowsAsync<HubException>(() => ocScreen.InvokeAsync<JsonElement>("Subscribe", "scenario:scn-000000000000"));
        Assert.Contains("Forbidden", unknown.Message);

        var frames = new List<JsonElement>();
        ocScreen.On<JsonElement>("scenario", frame => { lock (frames) frames.Add(frame); });
        var snapshot = await ocScreen.InvokeAsync<JsonElement>("Subscribe", $"scenario:{own}");
        Assert.Equal($"scenario:{own}", snapshot.GetProperty("scope").GetString());
        await iocScreen.InvokeAsync<JsonElement>("Subscribe", $"scenario:{own}");
        await RunToEnd(oc, own);

        var last = await Infrastructure.Eventually.Until(() => Task.FromResult(frames.LastOrDefault()),
            f => f.ValueKind == JsonValueKind.Object && f.GetProperty("progress").GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(10), "the completion is streamed");
        // The city-wide figures of the run stay out of an OC's stream.
        Assert.Equal(JsonValueKind.Null, last.GetProperty("progress").GetProperty("meanSpeedKmh").ValueKind);
    }

    private static IEnumerable<string> Ids(JsonNode? array) => array!.AsArray().Select(s => (string)s!);
}
