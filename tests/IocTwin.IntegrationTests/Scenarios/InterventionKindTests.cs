using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Api;

namespace IocTwin.Tests.Scenarios;

/// <summary>Each kind of intervention is its own record: checked by what it needs, and kept with its own fields.</summary>
[Collection(ScenarioCollection.Name)]
public sealed class InterventionKindTests(ScenarioApiFactory api) : IAsyncLifetime
{
    // Deleted after each test, so that the collection's other tests stay under the cap of scenarios per operator.
    private readonly List<string> _created = [];

    private HttpClient Http => api.Http;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var id in _created)
        {
            await Http.DeleteAsync($"/api/v1/scenarios/{id}");
        }
    }

    private async Task<string> Create(int horizon = 120)
    {
        var response = await Http.PostJson("/api/v1/scenarios", $$"""{ "name": "kinds", "horizonMinutes": {{horizon}}, "stepSeconds": 60 }""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (string)(await response.ReadObject())["id"]!;
        _created.Add(id);
        return id;
    }

    private async Task<string> SegmentOf(string districtId) =>
        (await Http.Get<List<SegmentView>>($"/api/v1/districts/{districtId}/segments")).First().Id;

    private async Task<JsonArray> Interventions(string id) =>
        (await (await Http.GetAsync($"/api/v1/scenarios/{id}")).ReadObject())["interventions"]!.AsArray();

    [Fact]
    public async Task Every_kind_is_kept_with_the_fields_of_its_kind_and_read_back_as_sent()
    {
        var segment = await SegmentOf("hai-chau");
        var id = await Create();
        string[] sent =
        [
            // As the screen sends it: fields of other kinds as null, which the kind does not keep.
            $$"""{ "kind": "close-segment", "segmentId": "{{segment}}", "value": null, "districtId": null, "startMinute": 0, "endMinute": 30 }""",
            // The kind need not come first.
            $$"""{ "segmentId": "{{segment}}", "startMinute": 30, "kind": "reopen-segment" }""",
            $$"""{ "kind": "capacity", "segmentId": "{{segment}}", "value": 900, "startMinute": 40, "endMinute": 50 }""",
            $$"""{ "kind": "speed-limit", "segmentId": "{{segment}}", "value": 30, "startMinute": 50 }""",
            $$"""{ "kind": "incident", "segmentId": "{{segment}}", "startMinute": 60, "endMinute": 90 }""",
            """{ "kind": "rain", "districtId": "hai-chau", "value": 80, "startMinute": 5, "endMinute": 65 }""",
            """{ "kind": "demand", "originDistrictId": "son-tra", "value": 2000, "startMinute": 0, "endMinute": 60 }""",
        ];
        foreach (var json in sent)
        {
            var response = await Http.PostJson($"/api/v1/scenarios/{id}/interventions", json);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        var kept = await Interventions(id);

        Assert.Equal(InterventionKinds.All, kept.Select(i => (string)i!["kind"]!));
        Assert.Equal(["endMinute", "kind", "segmentId", "startMinute"], kept[0]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(30, (double)kept[0]!["endMinute"]!);
        Assert.Null(kept[1]!["endMinute"]);
        Assert.Equal(900, (double)kept[2]!["value"]!);
        Assert.Null(kept[4]!["value"]); // the incident's default share is the simulation's
        Assert.Equal(["districtId", "endMinute", "kind", "startMinute", "value"], kept[5]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal("son-tra", (string)kept[6]!["originDistrictId"]!);
        Assert.Null(kept[6]!["destinationDistrictId"]); // the whole city
        Assert.Equal(2000, (double)kept[6]!["value"]!);
    }

    [Theory]
    [InlineData("""{ "kind": "close-segment" }""", "segmentId")]
    [InlineData("""{ "kind": "reopen-segment", "segmentId": "" }""", "segmentId")]
    [InlineData("""{ "kind": "close-segment", "segmentId": 12 }""", "segmentId")]
    [InlineData("""{ "kind": "capacity", "segmentId": "{segment}" }""", "value")]
    [InlineData("""{ "kind": "speed-limit", "segmentId": "{segment}", "value": 200 }""", "value")]
    [InlineData("""{ "kind": "incident", "segmentId": "{segment}", "value": 1.5 }""", "value")]
    [InlineData("""{ "kind": "rain", "value": 50 }""", "districtId")]
    [InlineData("""{ "kind": "rain", "districtId": "hai-chau" }""", "value")]
    [InlineData("""{ "kind": "demand", "originDistrictId": "hai-chau" }""", "value")]
    [InlineData("""{ "kind": "demand", "value": "20" }""", "value")]
    [InlineData("""{ "kind": "close-segment", "segmentId": "{segment}", "startMinute": 30, "endMinute": 10 }""", "endMinute")]
    [InlineData("""{ "segmentId": "{segment}" }""", "kind")]
    [InlineData("""{ "segmentId": "{segment}", "kind": "Close-Segment" }""", "kind")]
    [InlineData("""{ "kind": null, "segmentId": "{segment}" }""", "kind")]
    // A field given twice keeps its last value, as a bound body would.
    [InlineData("""{ "kind": "rain", "districtId": "hai-chau", "value": 50, "value": -5 }""", "value")]
    public async Task A_field_its_kind_needs_missing_or_out_of_range_is_a_400_naming_that_field_alone_and_changes_nothing(string json, string field)
    {
        var id = await Create();

        var response = await Http.PostJson($"/api/v1/scenarios/{id}/interventions", json.Replace("{segment}", await SegmentOf("hai-chau")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ProblemFields());
        Assert.Empty(await Interventions(id));
    }

    [Fact]
    public async Task A_scenario_may_be_created_with_its_first_interventions()
    {
        var segment = await SegmentOf("hai-chau");

        var response = await Http.PostJson("/api/v1/scenarios", $$"""
            { "name": "bridge and rain", "horizonMinutes": 90, "interventions": [
                { "kind": "close-segment", "segmentId": "{{segment}}", "endMinute": 45 },
                { "kind": "rain", "districtId": "hai-chau", "value": 60 } ] }
            """);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (string)(await response.ReadObject())["id"]!;
        _created.Add(id);
        var kept = await Interventions(id);
        Assert.Equal(["close-segment", "rain"], kept.Select(i => (string)i!["kind"]!));
        Assert.Equal(segment, (string)kept[0]!["segmentId"]!);
        Assert.Equal(60, (double)kept[1]!["value"]!);
    }

    [Theory]
    [InlineData("""[ { "kind": "close-segment", "segmentId": "{segment}" }, { "kind": "close-segment" } ]""", "interventions[1].segmentId")]
    [InlineData("""[ { "kind": "teleport" } ]""", "interventions[0].kind")]
    [InlineData("""[ { "kind": "rain", "districtId": "hai-chau", "value": 50, "startMinute": 200 } ]""", "interventions[0].startMinute")]
    [InlineData("""[ { "kind": "rain", "districtId": "hai-chau", "value": 50 }, 7 ]""", "interventions[1]")]
    [InlineData("""{ "kind": "rain" }""", "interventions")]
    // Checked against the city's roads once the fork exists: the fork is dropped again.
    [InlineData("""[ { "kind": "close-segment", "segmentId": "{segment}" }, { "kind": "close-segment", "segmentId": "no-such-road" } ]""", "interventions[1].segmentId")]
    public async Task A_new_scenario_with_a_bad_intervention_is_a_400_naming_its_place_and_no_scenario_is_made(string interventions, string field)
    {
        var before = (await Http.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Count;

        var response = await Http.PostJson("/api/v1/scenarios",
            $$"""{ "name": "bad", "horizonMinutes": 120, "interventions": {{interventions.Replace("{segment}", await SegmentOf("hai-chau"))}} }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ProblemFields());
        Assert.Equal(before, (await Http.Get<List<ScenarioSummary>>("/api/v1/scenarios")).Count);
    }
}
