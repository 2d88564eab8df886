using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.NgsiLd.ContextEntityCalls;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// A context entity's multi-attribute (instances told apart by datasetId) created, read, updated and deleted instance
/// by instance over HTTP, and ListProperty, ListRelationship, JsonProperty and VocabProperty values kept and returned.
/// </summary>
[Collection(ContextEntitiesCollection.Name)]
public sealed class ContextEntityInstancesApiTests(ContextEntitiesTwinFactory api)
{
    private const string Radar = "urn:ngsi-ld:Dataset:radar";
    private const string Float = "urn:ngsi-ld:Dataset:float";

    private HttpClient Http => api.Http;

    private async Task<Dictionary<string, double>> LevelsAsync(string id)
    {
        var (status, entity, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var level = entity!["level"];
        var instances = level is JsonArray many ? many.OfType<JsonObject>() : level is JsonObject one ? [one] : [];
        return instances.ToDictionary(i => (string?)i["datasetId"] ?? "default", i => (double)i["value"]!);
    }

    [Fact]
    public async Task Instances_are_created_read_updated_and_deleted_by_datasetId()
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Tank",
              "level": [ { "type": "Property", "value": 3.5 }, { "type": "Property", "value": 3.1, "datasetId": "{{Radar}}" } ] }
            """)).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(new Dictionary<string, double> { ["default"] = 3.5, [Radar] = 3.1 }, await LevelsAsync(id));

        (await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs", $$"""{ "level": { "type": "Property", "value": 2.9, "datasetId": "{{Float}}" } }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/level", $$"""{ "value": 3.3, "datasetId": "{{Radar}}" }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal(new Dictionary<string, double> { ["default"] = 3.5, [Radar] = 3.3, [Float] = 2.9 }, await LevelsAsync(id));

        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/level", """{ "value": 1, "datasetId": "urn:ngsi-ld:Dataset:none" }"""))
            .AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/level?datasetId={Uri.EscapeDataString(Radar)}")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/level")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal(new Dictionary<string, double> { [Float] = 2.9 }, await LevelsAsync(id));

        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/level?datasetId=not%20a%20uri")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/level?deleteAll=true")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Empty(await LevelsAsync(id));
    }

    [Fact]
    public async Task A_read_with_datasetId_gives_only_the_instances_named_and_leaves_out_attributes_without_them()
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Tank", "name": { "type": "Property", "value": "east" },
              "level": [ { "type": "Property", "value": 3.5 }, { "type": "Property", "value": 3.1, "datasetId": "{{Radar}}" },
                         { "type": "Property", "value": 2.9, "datasetId": "{{Float}}" } ] }
            """)).AssertStatus(HttpStatusCode.Created);

        var (status, entity, _) = await Http.Ngsi($"/entities/{id}?datasetId={Uri.EscapeDataString(Radar)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3.1, (double)entity!["level"]!["value"]!);
        Assert.Equal(Radar, (string?)entity["level"]!["datasetId"]);
        Assert.Null(entity["name"]);

        (status, entity, _) = await Http.Ngsi($"/entities/{id}?datasetId=@none,{Uri.EscapeDataString(Float)}&options=keyValues");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("east", (string?)entity!["name"]);
        var dataset = entity["level"]!["dataset"]!.AsObject();
        Assert.Equal(new Dictionary<string, double> { ["@none"] = 3.5, [Float] = 2.9 }, dataset.ToDictionary(d => d.Key, d => (double)d.Value!));

        (status, var found, _) = await Http.Ngsi($"/entities?type=Tank&id={Uri.EscapeDataString(id)}&datasetId={Uri.EscapeDataString(Float)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2.9, (double)found!.AsArray().Single()!["level"]!["value"]!);

        (await Http.Ngsi($"/entities/{id}?datasetId=not%20a%20uri")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
    }

    [Fact]
    public async Task An_attribute_holds_at_most_64_instances_and_a_write_past_that_changes_nothing()
    {
        string Instances(int from, int count) => string.Join(", ",
            Enumerable.Range(from, count).Select(i => $$"""{ "type": "Property", "value": {{i}}, "datasetId": "urn:ngsi-ld:Dataset:d{{i}}" }"""));
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{id}}", "type": "Tank", "level": [ {{Instances(0, 65)}} ] }"""))
            .AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{id}}", "type": "Tank", "level": [ {{Instances(0, 63)}} ] }"""))
            .AssertStatus(HttpStatusCode.Created);
        // Two more, each allowed alone: the merged total would pass the cap, so neither is added.
        (await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs", $$"""{ "level": [ {{Instances(63, 2)}} ] }"""))
            .AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.Equal(63, (await LevelsAsync(id)).Count);
        (await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs", $$"""{ "level": [ {{Instances(63, 1)}} ] }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal(64, (await LevelsAsync(id)).Count);
    }

    [Fact]
    public async Task A_keyValues_read_gives_each_instance_under_dataset()
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Tank", "level": [ { "value": 3.5 }, { "value": 3.1, "datasetId": "{{Radar}}" } ] }
            """)).AssertStatus(HttpStatusCode.Created);

        var (_, entity, _) = await Http.Ngsi($"/entities/{id}?options=keyValues");

        Assert.Equal(3.5, (double)entity!["level"]!["dataset"]!["@none"]!);
        Assert.Equal(3.1, (double)entity["level"]!["dataset"]![Radar]!);
    }

    [Fact]
    public async Task Two_instances_with_one_datasetId_are_refused_and_nothing_is_created()
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Tank", "level": [ { "value": 3.5, "datasetId": "{{Radar}}" }, { "value": 3.1, "datasetId": "{{Radar}}" } ] }
            """)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");

        (await Http.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }

    [Fact]
    public async Task List_json_and_vocab_properties_come_back_as_written_and_vocab_terms_expand_under_another_context()
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Tank",
              "readings": { "type": "ListProperty", "valueList": [3, 2, 1] },
              "config": { "type": "JsonProperty", "json": { "@id": "kept as given", "limits": [1, 2] } },
              "category": { "type": "VocabProperty", "vocab": "Storage" },
              "@context": { "readings": "{{Vocabulary}}readings", "config": "{{Vocabulary}}config", "category": "{{Vocabulary}}category",
                            "Storage": "{{Vocabulary}}Storage" } }
            """, "application/ld+json")).AssertStatus(HttpStatusCode.Created);

        var (_, entity, _) = await Http.Ngsi($"/entities/{id}");

        Assert.Equal("ListProperty", (string)entity![Vocabulary + "readings"]!["type"]!);
        Assert.Equal("[3,2,1]", entity[Vocabulary + "readings"]!["valueList"]!.ToJsonString());
        Assert.Equal("JsonProperty", (string)entity[Vocabulary + "config"]!["type"]!);
        Assert.Equal("kept as given", (string)entity[Vocabulary + "config"]!["json"]!["@id"]!);
        // Under the core context alone the term written under the tests' vocabulary comes back as its full IRI.
        Assert.Equal(Vocabulary + "Storage", (string)entity[Vocabulary + "category"]!["vocab"]!);
    }

    private const string PumpA = "urn:ngsi-ld:Pump:a";
    private const string PumpB = "urn:ngsi-ld:Pump:b";
    private const string PumpC = "urn:ngsi-ld:Pump:c";

    private static List<string> Targets(JsonNode objectList) => [.. objectList.AsArray().Select(i => (string)i!["object"]!)];

    [Fact]
    public async Task A_list_relationship_keeps_its_targets_in_order_in_every_representation_and_answers_q()
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Tank",
              "feeds": { "type": "ListRelationship", "objectList": [ { "object": "{{PumpB}}" }, { "object": "{{PumpA}}" } ] } }
            """)).AssertStatus(HttpStatusCode.Created);

        var (_, normalized, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal("ListRelationship", (string)normalized!["feeds"]!["type"]!);
        Assert.Equal([PumpB, PumpA], Targets(normalized["feeds"]!["objectList"]!));
        var (_, concise, _) = await Http.Ngsi($"/entities/{id}?options=concise");
        Assert.Null(concise!["feeds"]!["type"]);
        Assert.Equal([PumpB, PumpA], Targets(concise["feeds"]!["objectList"]!));
        var (_, keyValues, _) = await Http.Ngsi($"/entities/{id}?options=keyValues");
        Assert.Equal($"""["{PumpB}","{PumpA}"]""", keyValues!["feeds"]!.ToJsonString());

        // q reaches every item of the list, as it does the items of a Relationship's list of objects.
        Assert.Contains(id, (await Http.Entities($"type=Tank&q=feeds==%22{Uri.EscapeDataString(PumpA)}%22", "")).Ids());
        Assert.DoesNotContain(id, (await Http.Entities($"type=Tank&q=feeds==%22{Uri.EscapeDataString(PumpC)}%22", "")).Ids());

        // A concise fragment (objectList alone, items as bare URIs) replaces the list in its new order.
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/feeds", $$"""{ "objectList": [ "{{PumpC}}", "{{PumpA}}" ] }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        var (_, patched, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal("ListRelationship", (string)patched!["feeds"]!["type"]!);
        Assert.Equal([PumpC, PumpA], Targets(patched["feeds"]!["objectList"]!));
    }

    [Theory]
    [InlineData("""{ "type": "ListRelationship", "objectList": [ { "object": "urn:ngsi-ld:Pump:a" }, { "object": "not a uri" } ] }""")]
    [InlineData("""{ "type": "ListRelationship", "objectList": [ { "object": "urn:ngsi-ld:Pump:a" }, 7 ] }""")]
    [InlineData("""{ "type": "ListRelationship", "objectList": "urn:ngsi-ld:Pump:a" }""")]
    public async Task A_list_relationship_with_an_item_that_is_not_a_uri_is_refused_and_nothing_changes(string feeds)
    {
        var id = NewId("Tank");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{id}}", "type": "Tank", "feeds": { "type": "ListRelationship", "objectList": [ { "object": "{{PumpB}}" } ] } }"""))
            .AssertStatus(HttpStatusCode.Created);

        var created = await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{NewId("Tank")}}", "type": "Tank", "feeds": {{feeds}} }""");
        created.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        var appended = await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs", $$"""{ "feeds": {{feeds}} }""");
        appended.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.Contains("'feeds'", (string)appended.Body!["detail"]!);
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/feeds", feeds)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");

        var (_, entity, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal([PumpB], Targets(entity!["feeds"]!["objectList"]!));
    }
}
