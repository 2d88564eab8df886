using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Scenarios;

/// <summary>A twin of its own: no other test writes to it, so its live state can be compared byte for byte.</summary>
public sealed class ScenarioApiFactory : QuietTwinFactory;

[CollectionDefinition(Name)]
public sealed class ScenarioCollection : ICollectionFixture<ScenarioApiFactory>
{
    public const string Name = "scenarios";
}

[Collection(ScenarioCollection.Name)]
public sealed class ScenarioApiTests(ScenarioApiFactory api)
{
    private HttpClient Http => api.Http;

    /// <param name="model">The traffic model asked for; null leaves the field out.</param>
    private async Task<string> Create(string name = "what if", int horizon = 60, int step = 60, string baseline = "live", string? model = "static")
    {
        var modelField = model is null ? "" : $$""", "model": "{{model}}" """;
        var response = await Http.PostJson("/api/v1/scenarios",
            $$"""{ "name": "{{name}}", "baseline": "{{baseline}}", "horizonMinutes": {{horizon}}, "stepSeconds": {{step}}{{modelField}} }""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObject())["id"]!;
    }

    private async Task Intervene(string id, string json)
    {
        var response = await Http.PostJson($"/api/v1/scenarios/{id}/interventions", json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonObject> RunToEnd(string id)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync($"/api/v1/scenarios/{id}/run", null)).StatusCode);
        return await Eventually.Until(async () => await (await Http.GetAsync($"/api/v1/scenarios/{id}")).ReadObject(),
            s => (string)s["status"]! is "completed" or "failed", TimeSpan.FromSeconds(90), "the scenario run ends");
    }

    /// <summary>The latest 08:00 in Đà Nẵng that is already past.</summary>
    private static DateTimeOffset LastMorningPeak()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7));
        var peak = new DateTimeOffset(now.Date.AddHours(8), now.Offset);
        return now.Hour < 9 ? peak.AddDays(-1) : peak;
    }

    private async Task<List<SegmentView>> AllSegments()
    {
        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        var lists = await Task.WhenAll(districts.Select(d => Http.Get<List<SegmentView>>($"/api/v1/districts/{d.Id}/segments")));
        return [.. lists.SelectMany(l => l)];
    }

    [Fact]
    public async Task Closing_Cau_Rong_raises_delay_across_the_river_sends_traffic_to_other_bridges_and_leaves_the_live_twin_untouched()
    {
        var segments = await AllSegments();
        var cauRong = segments.Single(s => s.Spec!.Name == "Cầu Rồng");
        var otherBridges = segments.Where(s => s.Spec!.RoadClass == "bridge" && s.Spec!.Id != cauRong.Spec!.Id).Select(s => s.Spec!.Id).ToHashSet();
        // Take the live twin as the database and the API hold it, once what the seeding wrote behind has settled.
        var storedBefore = await api.SettledStoredState();
        var before = await api.LiveTwinJson();
        Assert.Contains("district hai-chau", storedBefore);

        // At the morning peak a closed bridge costs delay; late at night traffic just takes another bridge.
        var id = await Create("Cầu Rồng closed for an hour", baseline: LastMorningPeak().ToString("O"));
        await Intervene(id, $$"""{ "kind": "close-segment", "segmentId": "{{cauRong.Spec!.Id}}", "startMinute": 0, "endMinute": 60 }""");
        var scenario = await RunToEnd(id);

        Assert.Equal("completed", (string)scenario["status"]!);
        var report = scenario["report"]!;
        Assert.True((double)report["delta"]!["totalDelayVehHours"]!["change"]! > 0, "the closure adds delay");
        Assert.Contains(cauRong.Spec!.Id, report["closedSegmentIds"]!.AsArray().Select(s => (string)s!));
        var acrossRiver = report["delta"]!["odPairs"]!.AsArray()
            .Single(p => (string)p!["originDistrictId"]! == "son-tra" && (string)p["destinationDistrictId"]! == "hai-chau")!;
        Assert.True((double)acrossRiver["meanTravelTimeMin"]!["change"]! > 0, "trips from Sơn Trà to Hải Châu take longer");
        var busierBridges = report["delta"]!["mostAffectedSegments"]!.AsArray()
            .Where(s => otherBridges.Contains((string)s!["segmentId"]!) && (double)s!["meanFlowVph"]!["change"]! > 0).ToList();
        Assert.NotEmpty(busierBridges);
        // Scenario and baseline KPIs side by side over time.
        var steps = report["steps"]!.AsArray();
        Assert.Equal(60, steps.Count);
        Assert.True((double)steps[^1]!["scenario"]!["cumulativeDelayVehHours"]! > (double)steps[^1]!["baseline"]!["cumulativeDelayVehHours"]!);

        Assert.Equal(before, await api.LiveTwinJson());
        await Task.Delay(500);
        Assert.Equal(storedBefore, api.StoredLiveState());
    }

    [Fact]
    public async Task A_scenario_runs_the_dynamic_model_unless_asked_for_the_static_one_and_reports_its_queues_over_time()
    {
        var segments = await AllSegments();
        var cauRong = segments.Single(s => s.Spec!.Name == "Cầu Rồng").Spec!.Id;
        var dynamicId = await Create("Cầu Rồng down to one lane, with queues", horizon: 30, baseline: LastMorningPeak().ToString("O"), model: null);
        var staticId = await Create("Cầu Rồng down to one lane", horizon: 30, baseline: LastMorningPeak().ToString("O"));
        foreach (var id in new[] { dynamicId, staticId })
        {
            await Intervene(id, $$"""{ "kind": "incident", "segmentId": "{{cauRong}}", "value": 0.9 }""");
        }

        var dynamic = await RunToEnd(dynamicId);
        var quasiStatic = await RunToEnd(staticId);

        Assert.Equal("completed", (string)dynamic["status"]!);
        Assert.Equal("dynamic", (string)dynamic["model"]!);
        Assert.Equal("static", (string)quasiStatic["model"]!);
        var queues = dynamic["report"]!["queues"]!;
        Assert.Equal(30, queues["queuedVehicles"]!.AsArray().Count);
        Assert.Equal(30, queues["longestQueueM"]!.AsArray().Count);
        Assert.All(queues["extents"]!.AsArray(), e => Assert.Equal(30, e!["extentM"]!.AsArray().Count));
        Assert.All(queues["worst"]!.AsArray(), q => Assert.True((double)q!["maxLengthM"]! > 0));
        var trips = dynamic["report"]!["scenarioTrips"]!;
        Assert.True((double)trips["waitingToEnter"]! >= 0);
        Assert.Null(quasiStatic["report"]!["queues"]);
    }

    [Fact]
    public async Task A_scenario_without_interventions_reproduces_its_baseline_and_two_run_at_once()
    {
        var first = await Create("nothing changes");
        var second = await Create("nothing changes either", horizon: 30, step: 30);

        var runs = await Task.WhenAll(RunToEnd(first), RunToEnd(second));

        foreach (var scenario in runs)
        {
            Assert.Equal("completed", (string)scenario["status"]!);
            var delta = scenario["report"]!["delta"]!;
            Assert.Equal(0, (double)delta["totalDelayVehHours"]!["change"]!);
            Assert.Equal(0, (double)delta["meanSpeedKmh"]!["change"]!);
            Assert.All(scenario["report"]!["segments"]!.AsArray(), s => Assert.Equal((string?)s!["baselineLos"], (string?)s["scenarioLos"]));
        }
    }

    [Fact]
    public async Task Heavy_rain_floods_and_closes_segments_of_the_district()
    {
        var id = await Create("80 mm on Hải Châu", horizon: 120);
        await Intervene(id, """{ "kind": "rain", "districtId": "hai-chau", "value": 120, "startMinute": 0, "endMinute": 60 }""");

        var scenario = await RunToEnd(id);

        var flooded = scenario["report"]!["floodedSegmentIds"]!.AsArray().Select(s => (string)s!).ToList();
        Assert.NotEmpty(flooded);
        var haiChau = (await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments")).Select(s => s.Spec!.Id).ToHashSet();
        Assert.Contains(flooded, haiChau.Contains);
    }

    [Fact]
    public async Task A_scenario_report_states_for_every_assignment_its_gap_and_the_start_and_the_closure_reach_the_requested_one()
    {
        var response = await Http.PostJson("/api/v1/scenarios", """{ "name": "tight routes", "horizonMinutes": 20, "convergenceGap": 1e-5 }""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadObject();
        var id = (string)created["id"]!;
        Assert.Equal(1e-5, (double)created["convergenceGap"]!);
        var segments = await AllSegments();
        await Intervene(id, $$"""{ "kind": "close-segment", "segmentId": "{{segments.Single(s => s.Spec!.Name == "Cầu Rồng").Spec!.Id}}", "startMinute": 10 }""");

        var scenario = await RunToEnd(id);

        Assert.Equal("completed", (string)scenario["status"]!);
        var report = scenario["report"]!;
        foreach (var run in new[] { "baselineAssignments", "scenarioAssignments" })
        {
            var assignments = report[run]!.AsArray();
            Assert.NotEmpty(assignments);
            Assert.All(assignments, a =>
            {
                var gap = (double)a!["relativeGap"]!;
                Assert.True((int)a["iterations"]! >= 0);
                // A re-route for demand drift alone runs a bounded number of iterations and says whether it got there.
                Assert.Equal(gap <= 1e-5, (bool)a["converged"]!);
                if ((string)a["trigger"]! != "reroute")
                {
                    Assert.InRange(gap, 0, 1e-5);
                }
            });
        }
        Assert.Contains(report["scenarioAssignments"]!.AsArray(), a => (string)a!["trigger"]! == "network-change" && (double)a["minute"]! == 10);
    }

    [Theory]
    [InlineData("""{ "kind": "close-segment", "segmentId": "no-such-road" }""", "segmentId")]
    [InlineData("""{ "kind": "rain", "districtId": "hai-chau", "value": -5 }""", "value")]
    [InlineData("""{ "kind": "rain", "districtId": "atlantis", "value": 50 }""", "districtId")]
    [InlineData("""{ "kind": "teleport", "segmentId": "x" }""", "kind")]
    [InlineData("""{ "kind": "capacity", "segmentId": "x", "value": 0 }""", "value")]
    [InlineData("""{ "kind": "close-segment", "segmentId": "x", "startMinute": 600 }""", "startMinute")]
    [InlineData("""{ "kind": "demand", "originDistrictId": "nowhere", "destinationDistrictId": "hai-chau", "value": 20000 }""", "originDistrictId")]
    [InlineData("""{ "kind": 7 }""", "kind")]
    public async Task An_invalid_intervention_is_a_400_naming_the_field_and_changes_nothing(string json, string field)
    {
        var id = await Create();

        var response = await Http.PostJson($"/api/v1/scenarios/{id}/interventions", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
        var scenario = await (await Http.GetAsync($"/api/v1/scenarios/{id}")).ReadObject();
        Assert.Empty(scenario["interventions"]!.AsArray());
    }

    [Theory]
    [InlineData("""{ "horizonMinutes": 60 }""", "name")]
    [InlineData("""{ "name": "x", "horizonMinutes": 0 }""", "horizonMinutes")]
    [InlineData("""{ "name": "x", "baseline": "tomorrow" }""", "baseline")]
    [InlineData("""{ "name": "x", "baseline": "2999-01-01T00:00:00Z" }""", "baseline")]
    [InlineData("""{ "name": "x", "stepSeconds": 1 }""", "stepSeconds")]
    [InlineData("""{ "name": "x", "convergenceGap": 0 }""", "convergenceGap")]
    [InlineData("""{ "name": "x", "convergenceGap": 1 }""", "convergenceGap")]
    [InlineData("""{ "name": "x", "convergenceGap": -0.01 }""", "convergenceGap")]
    [InlineData("""{ "name": "x", "convergenceGap": "tight" }""", "convergenceGap")]
    [InlineData("""{ "name": "x", "model": "quantum" }""", "model")]
    [InlineData("""{ "name": "x", "model": 2 }""", "model")]
    public async Task An_invalid_scenario_is_a_400_naming_the_field(string json, string field)
    {
        var response = await Http.PostJson("/api/v1/scenarios", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    [Fact]
    public async Task Progress_and_completion_stream_on_the_scenario_scope()
    {
        var id = await Create("streamed");
        var frames = new List<JsonElement>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(Http.BaseAddress!, "/hubs/twin"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(api.Token(TwinRoles.Ioc)))
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        hub.On<JsonElement>("scenario", frame => { lock (frames) frames.Add(frame); });
        await hub.StartAsync();
        await hub.InvokeAsync<JsonElement>("Subscribe", $"scenario:{id}");

        await RunToEnd(id);

        var last = await Eventually.Until(() => Task.FromResult(frames.LastOrDefault()),
            f => f.ValueKind == JsonValueKind.Object && f.GetProperty("progress").GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(10), "the completion is streamed");
        Assert.Equal($"scenario:{id}", last.GetProperty("scope").GetString());
        Assert.Equal(1, last.GetProperty("progress").GetProperty("progress").GetDouble());
    }

    [Fact]
    public async Task A_deleted_scenario_is_gone_and_only_the_IOC_may_run_scenarios()
    {
        var id = await Create("to delete");
        using var viewer = api.CreateClient(TwinRoles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/scenarios/{id}/run", null)).StatusCode);
        Assert.Contains(id, (await Http.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Select(s => s.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/api/v1/scenarios/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/scenarios/{id}")).StatusCode);
        Assert.DoesNotContain(id, (await Http.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Select(s => s.Id));
    }
}
