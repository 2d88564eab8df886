using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Api;

namespace IocTwin.Tests.Scenarios;

/// <summary>The OpenAPI document describes interventions by kind and the scenario report field by field.</summary>
[Collection(ScenarioCollection.Name)]
public sealed class ScenarioOpenApiTests(ScenarioApiFactory api)
{
    private JsonObject _schemas = [];

    /// <summary>The schema a "$ref" in <paramref name="node"/> (or under its oneOf/anyOf) points at.</summary>
    private JsonObject Resolve(JsonNode? node)
    {
        var reference = node?["$ref"] ?? node?["oneOf"]?.AsArray().Concat(node["anyOf"]?.AsArray() ?? []).Select(n => n?["$ref"]).FirstOrDefault(r => r is not null);
        Assert.NotNull(reference);
        return _schemas[((string)reference!).Split('/').Last()]!.AsObject();
    }

    private static string[] Properties(JsonObject schema) => [.. schema["properties"]!.AsObject().Select(p => p.Key)];

    private static string[] Required(JsonObject schema) => [.. (schema["required"]?.AsArray() ?? []).Select(r => (string)r!)];

    private async Task<JsonObject> Document()
    {
        var document = await (await api.Http.GetAsync("/openapi/v1.json")).ReadObject();
        _schemas = document["components"]!["schemas"]!.AsObject();
        return document;
    }

    [Fact]
    public async Task An_intervention_is_one_of_its_kinds_told_apart_by_kind_each_with_its_own_fields()
    {
        var document = await Document();

        var body = Resolve(document["paths"]!["/api/v1/scenarios/{id}/interventions"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]);
        Assert.Equal("kind", (string)body["discriminator"]!["propertyName"]!);
        var mapping = body["discriminator"]!["mapping"]!.AsObject();
        Assert.Equal(InterventionKinds.All.Order(), mapping.Select(m => m.Key).Order());
        JsonObject Kind(string kind) => Resolve(new JsonObject { ["$ref"] = (string)mapping[kind]! });
        Assert.Contains("segmentId", Required(Kind("close-segment")));
        Assert.DoesNotContain("value", Properties(Kind("close-segment")));
        Assert.Contains("value", Required(Kind("capacity")));
        Assert.Equal(["districtId", "value"], Required(Kind("rain")).Order());
        Assert.Contains("originDistrictId", Properties(Kind("demand")));
        Assert.DoesNotContain("originDistrictId", Required(Kind("demand"))); // none is the whole city
        // A new scenario's first interventions are the same records.
        var create = Resolve(document["paths"]!["/api/v1/scenarios"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]);
        Assert.Equal("kind", (string)Resolve(create["properties"]!["interventions"]!["items"])["discriminator"]!["propertyName"]!);
    }

    [Fact]
    public async Task A_scenario_is_described_with_its_report_and_the_report_with_its_figures()
    {
        var document = await Document();

        var scenario = Resolve(document["paths"]!["/api/v1/scenarios/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        Assert.Contains("interventions", Properties(scenario));
        var report = Resolve(scenario["properties"]!["report"]);
        Assert.Superset(new HashSet<string> { "scenarioId", "delta", "segments", "closedSegmentIds", "steps", "baseline", "scenario", "baselineAssignments" },
            Properties(report).ToHashSet());
        // The city-wide figures are left out of an OC's report, so they are not required.
        Assert.DoesNotContain("steps", Required(report));
        Assert.DoesNotContain("baseline", Required(report));
        Assert.Contains("segments", Required(report));
        var delta = Resolve(report["properties"]!["delta"]);
        Assert.Contains("mostAffectedSegments", Properties(delta));
        Assert.DoesNotContain("totalDelayVehHours", Required(delta));
        var outcome = Resolve(report["properties"]!["segments"]!["items"]);
        Assert.Equal(["baselineLos", "baselineStatus", "districtId", "scenarioLos", "scenarioStatus", "segmentId"], Properties(outcome).Order());
    }
}
