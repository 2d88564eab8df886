using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.NgsiLd.ContextEntityCalls;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// Batch operations on context entities and observation entities together: each entity applied whole or refused with
/// its own ETSI problem, the others written; and the error types single writes answer.
/// </summary>
[Collection(ContextEntitiesCollection.Name)]
public sealed class ContextEntityBatchTests(ContextEntitiesTwinFactory api)
{
    private HttpClient Http => api.Http;

    private static string Lamp(string id, double level) => $$"""{ "id": "{{id}}", "type": "Lamp", "level": { "type": "Property", "value": {{level}} } }""";

    private static Dictionary<string, string> Errors(JsonNode result) =>
        result["errors"]!.AsArray().Where(e => e!["entityId"] is not null).ToDictionary(e => (string)e!["entityId"]!, e => (string)e!["error"]!["type"]!);

    [Fact]
    public async Task A_create_batch_with_bad_and_existing_entities_answers_207_and_creates_the_good_ones()
    {
        var (existing, first, second, bad) = (NewId("Lamp"), NewId("Lamp"), NewId("Lamp"), NewId("Lamp"));
        (await Http.Send(HttpMethod.Post, "/entities", Lamp(existing, 1))).AssertStatus(HttpStatusCode.Created);

        var batch = $$"""
            [ {{Lamp(first, 2)}}, {{Lamp(existing, 9)}},
              { "id": "{{bad}}", "type": "Lamp", "level": { "type": "Property" } },
              { "type": "Lamp", "level": 3 }, {{Lamp(second, 4)}} ]
            """;
        var (status, result, _) = await Http.Send(HttpMethod.Post, "/entityOperations/create", batch);

        Assert.True(status == HttpStatusCode.MultiStatus, $"{status} {result}");
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), result!["success"]!.AsArray().Select(s => (string)s!).Order(StringComparer.Ordinal));
        var errors = result["errors"]!.AsArray();
        Assert.Equal(3, errors.Count);
        Assert.Equal(NgsiLdProblems.Base + "AlreadyExists", Errors(result)[existing]);
        Assert.Equal(NgsiLdProblems.Base + "BadRequestData", Errors(result)[bad]);
        Assert.Contains(errors, e => e!["entityId"] is null && (string)e["error"]!["type"]! == NgsiLdProblems.Base + "BadRequestData");
        Assert.Equal(2, (double)(await Http.Ngsi($"/entities/{first}")).Body!["level"]!["value"]!);
        Assert.Equal(4, (double)(await Http.Ngsi($"/entities/{second}")).Body!["level"]!["value"]!);
        Assert.Equal(1, (double)(await Http.Ngsi($"/entities/{existing}")).Body!["level"]!["value"]!);
        (await Http.Ngsi($"/entities/{bad}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        var (created, ids, _) = await Http.Send(HttpMethod.Post, "/entityOperations/create", $"[{Lamp(NewId("Lamp"), 5)}]");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Single(ids!.AsArray());
    }

    [Fact]
    public async Task A_delete_batch_deletes_and_names_what_it_could_not()
    {
        var (one, two, missing) = (NewId("Lamp"), NewId("Lamp"), NewId("Lamp"));
        (await Http.Send(HttpMethod.Post, "/entityOperations/create", $"[{Lamp(one, 1)}, {Lamp(two, 2)}]")).AssertStatus(HttpStatusCode.Created);

        (await Http.Send(HttpMethod.Post, "/entityOperations/delete", $"""["{one}"]""")).AssertStatus(HttpStatusCode.NoContent);
        var (status, result, _) = await Http.Send(HttpMethod.Post, "/entityOperations/delete", $"""["{two}", "{missing}", "urn:ngsi-ld:RoadSegment:x"]""");

        Assert.Equal(HttpStatusCode.MultiStatus, status);
        Assert.Equal([two], result!["success"]!.AsArray().Select(s => (string)s!));
        Assert.Equal(NgsiLdProblems.Base + "ResourceNotFound", Errors(result)[missing]);
        Assert.Equal(NgsiLdProblems.Base + "OperationNotSupported", Errors(result)["urn:ngsi-ld:RoadSegment:x"]);
        (await Http.Ngsi($"/entities/{one}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.Ngsi($"/entities/{two}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }

    [Fact]
    public async Task An_upsert_of_observation_and_context_entities_writes_the_reading_and_the_entity()
    {
        var (_, counter) = await Http.CountedSegment("ngu-hanh-son");
        var lamp = NewId("Lamp");
        var at = DateTimeOffset.UtcNow.AddSeconds(-3);
        var observation = $$"""
            { "id": "urn:ngsi-ld:TrafficFlowObserved:{{counter.Id}}", "type": "TrafficFlowObserved",
              "averageVehicleSpeed": { "type": "Property", "value": 41.5, "observedAt": "{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}" } }
            """;

        var (status, created, _) = await Http.NgsiWrite("/entityOperations/upsert", $"[{observation}, {Lamp(lamp, 7)}]");

        Assert.True(status == HttpStatusCode.Created, $"{status} {created}");
        Assert.Equal([lamp], created!.AsArray().Select(s => (string)s!));
        var sensor = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(41.5, sensor.LastReading!.Values["speed"]);
        Assert.Equal(7, (double)(await Http.Ngsi($"/entities/{lamp}")).Body!["level"]!["value"]!);

        // Again, with options=update: the lamp gains an attribute and keeps the other; nothing is created.
        var again = await Http.Send(HttpMethod.Post, "/entityOperations/upsert?options=update",
            $$"""[{ "id": "{{lamp}}", "type": "Lamp", "colour": { "type": "Property", "value": "amber" } }]""");
        again.AssertStatus(HttpStatusCode.NoContent);
        var (_, updated, _) = await Http.Ngsi($"/entities/{lamp}");
        Assert.Equal(7, (double)updated!["level"]!["value"]!);
        Assert.Equal("amber", (string)updated["colour"]!["value"]!);
        // The default, replace: the lamp holds only what this upsert gives.
        (await Http.Send(HttpMethod.Post, "/entityOperations/upsert", $"[{Lamp(lamp, 8)}]")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Null((await Http.Ngsi($"/entities/{lamp}")).Body!["colour"]);
    }

    [Fact]
    public async Task Update_and_merge_batches_change_existing_entities_only()
    {
        var (lamp, missing) = (NewId("Lamp"), NewId("Lamp"));
        (await Http.Send(HttpMethod.Post, "/entities", Lamp(lamp, 1))).AssertStatus(HttpStatusCode.Created);

        var (status, result, _) = await Http.Send(HttpMethod.Post, "/entityOperations/merge",
            $$"""[{ "id": "{{lamp}}", "level": 2, "colour": "white" }, {{Lamp(missing, 3)}}]""");
        Assert.Equal(HttpStatusCode.MultiStatus, status);
        Assert.Equal(NgsiLdProblems.Base + "ResourceNotFound", Errors(result!)[missing]);
        (await Http.Ngsi($"/entities/{missing}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        (await Http.Send(HttpMethod.Post, "/entityOperations/update?options=noOverwrite", $$"""[{ "id": "{{lamp}}", "level": 9, "height": 6 }]"""))
            .AssertStatus(HttpStatusCode.NoContent);
        var (_, entity, _) = await Http.Ngsi($"/entities/{lamp}?options=keyValues");
        Assert.Equal(2, (double)entity!["level"]!);
        Assert.Equal("white", (string)entity["colour"]!);
        Assert.Equal(6, (double)entity["height"]!);
    }

    [Fact]
    public async Task Bad_writes_get_their_etsi_problem_and_change_nothing()
    {
        var lamp = NewId("Lamp");
        (await Http.Send(HttpMethod.Post, "/entities", Lamp(lamp, 1))).AssertStatus(HttpStatusCode.Created);

        (await Http.Send(HttpMethod.Post, "/entities", """{ "id": "not a uri", "type": "Lamp" }""")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{NewId("Lamp")}}" }""")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Send(HttpMethod.Patch, $"/entities/{lamp}/attrs", """{ "level": { "type": "Property", "value": 2, "observedAt": "yesterday" } }"""))
            .AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Send(HttpMethod.Put, $"/entities/{lamp}", """{ "type": "Streetlamp", "level": 2 }""")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Send(HttpMethod.Post, "/entities", "{ not json")).AssertProblem(HttpStatusCode.BadRequest, "InvalidRequest");
        (await Http.Send(HttpMethod.Patch, $"/entities/{NewId("Lamp")}/attrs", """{ "level": 2 }""")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.Send(HttpMethod.Post, "/entities", Lamp(lamp, 5))).AssertProblem(HttpStatusCode.Conflict, "AlreadyExists");
        Assert.Equal(1, (double)(await Http.Ngsi($"/entities/{lamp}")).Body!["level"]!["value"]!);

        var segment = (await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments"))[0];
        (await Http.Send(HttpMethod.Delete, $"/entities/urn:ngsi-ld:RoadSegment:{segment.Id}")).AssertProblem(HttpStatusCode.UnprocessableEntity, "OperationNotSupported");
        (await Http.Send(HttpMethod.Put, $"/entities/urn:ngsi-ld:RoadSegment:{segment.Id}", """{ "name": "renamed" }"""))
            .AssertProblem(HttpStatusCode.UnprocessableEntity, "OperationNotSupported");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "urn:ngsi-ld:RoadSegment:{{segment.Id}}", "type": "RoadSegment" }""", link: NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.Conflict, "AlreadyExists");
        (await Http.Send(HttpMethod.Post, "/entities", """{ "id": "urn:ngsi-ld:Thing:1", "type": "RoadSegment" }""", link: NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.UnprocessableEntity, "OperationNotSupported");
        Assert.NotNull((await Http.Ngsi($"/entities/urn:ngsi-ld:RoadSegment:{segment.Id}", NgsiLdClient.SdmLink)).Body!["name"]);
    }
}
