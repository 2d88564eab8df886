using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static IocTwin.Tests.NgsiLd.ContextEntityCalls;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// Entities of types the twin does not model itself are kept as context entities: created, read, replaced, merged,
/// their attributes appended, updated and deleted as GS CIM 009 says, each change heard in the API process.
/// </summary>
[Collection(ContextEntitiesCollection.Name)]
public sealed class ContextEntitiesTests(ContextEntitiesTwinFactory api)
{
    private HttpClient Http => api.Http;

    private static string Kiosk(string id, double temperature, string extra = "") => $$"""
        { "id": "{{id}}", "type": "Kiosk",
          "temperature": { "type": "Property", "value": {{temperature}}, "unitCode": "CEL" },
          "name": { "type": "Property", "value": "Bạch Đằng kiosk" },
          "owner": { "type": "Relationship", "object": "urn:ngsi-ld:Organization:city" }{{extra}} }
        """;

    [Fact]
    public async Task A_created_entity_is_read_back_replaced_merged_and_deleted()
    {
        var id = NewId("Kiosk");
        var created = await Http.Send(HttpMethod.Post, "/entities", Kiosk(id, 21.5,
            """, "label": { "type": "LanguageProperty", "languageMap": { "vi": "Ki-ốt", "en": "Kiosk" } }"""));
        created.AssertStatus(HttpStatusCode.Created);
        Assert.Equal($"{NgsiLdClient.Api}/entities/{Uri.EscapeDataString(id)}", created.Response.Headers.Location?.OriginalString);

        var (_, entity, _) = await Http.Ngsi($"/entities/{id}?options=sysAttrs");
        Assert.Equal("Kiosk", (string)entity!["type"]!);
        Assert.Equal(21.5, (double)entity["temperature"]!["value"]!);
        Assert.Equal("CEL", (string)entity["temperature"]!["unitCode"]!);
        Assert.Equal("Relationship", (string)entity["owner"]!["type"]!);
        Assert.Equal("urn:ngsi-ld:Organization:city", (string)entity["owner"]!["object"]!);
        Assert.Equal("Ki-ốt", (string)entity["label"]!["languageMap"]!["vi"]!);
        Assert.NotNull(entity["createdAt"]);
        var (_, keyValues, _) = await Http.Ngsi($"/entities/{id}?options=keyValues");
        Assert.Equal(21.5, (double)keyValues!["temperature"]!);

        (await Http.Send(HttpMethod.Post, "/entities", Kiosk(id, 30))).AssertProblem(HttpStatusCode.Conflict, "AlreadyExists");
        Assert.Equal(21.5, (double)(await Http.Ngsi($"/entities/{id}")).Body!["temperature"]!["value"]!);

        (await Http.Send(HttpMethod.Put, $"/entities/{id}", """{ "type": "Kiosk", "temperature": { "type": "Property", "value": 25 } }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        var (_, replaced, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal(25, (double)replaced!["temperature"]!["value"]!);
        Assert.Null(replaced["name"]);
        Assert.Null(replaced["owner"]);

        (await Http.Send(HttpMethod.Patch, $"/entities/{id}", """{ "temperature": "urn:ngsi-ld:null", "open": { "type": "Property", "value": true } }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        var (_, merged, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Null(merged!["temperature"]);
        Assert.True((bool)merged["open"]!["value"]!);

        (await Http.Send(HttpMethod.Delete, $"/entities/{id}")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }

    [Fact]
    public async Task Attributes_are_appended_updated_and_deleted_with_207_for_those_left_alone()
    {
        var id = NewId("Kiosk");
        (await Http.Send(HttpMethod.Post, "/entities", Kiosk(id, 20))).AssertStatus(HttpStatusCode.Created);

        var kept = await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs?options=noOverwrite",
            """{ "temperature": { "type": "Property", "value": 99 }, "humidity": { "type": "Property", "value": 60 } }""");
        kept.AssertStatus(HttpStatusCode.MultiStatus);
        Assert.Equal("temperature", (string)kept.Body!["notUpdated"]!.AsArray().Single()!["attributeName"]!);
        Assert.Equal(["humidity"], kept.Body["updated"]!.AsArray().Select(n => (string)n!));
        var (_, afterAppend, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal(20, (double)afterAppend!["temperature"]!["value"]!);
        Assert.Equal(60, (double)afterAppend["humidity"]!["value"]!);

        (await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs", """{ "temperature": { "type": "Property", "value": 22, "unitCode": "FAH" } }"""))
            .AssertStatus(HttpStatusCode.NoContent);
        var updated = await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs",
            """{ "humidity": { "type": "Property", "value": 65 }, "pressure": { "type": "Property", "value": 1013 } }""");
        updated.AssertStatus(HttpStatusCode.MultiStatus);
        Assert.Equal("pressure", (string)updated.Body!["notUpdated"]!.AsArray().Single()!["attributeName"]!);

        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/temperature", """{ "value": 23.5 }""")).AssertStatus(HttpStatusCode.NoContent);
        var (_, entity, _) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal(23.5, (double)entity!["temperature"]!["value"]!);
        Assert.Equal("FAH", (string)entity["temperature"]!["unitCode"]!);
        Assert.Equal(65, (double)entity["humidity"]!["value"]!);
        Assert.Null(entity["pressure"]);

        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/humidity")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/humidity")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/pressure", """{ "value": 1 }""")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        Assert.Null((await Http.Ngsi($"/entities/{id}")).Body!["humidity"]);
    }

    [Fact]
    public async Task A_type_written_short_under_one_context_and_as_an_iri_under_another_is_one_type()
    {
        var type = Vocabulary + "Bench";
        var shortName = NewId("Bench");
        var fullName = NewId("Bench");
        var ld = $$"""{ "id": "{{shortName}}", "type": "Bench", "seats": { "type": "Property", "value": 4 }, "@context": { "Bench": "{{type}}", "seats": "{{Vocabulary}}seats" } }""";
        (await Http.Send(HttpMethod.Post, "/entities", ld, "application/ld+json")).AssertStatus(HttpStatusCode.Created);
        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{fullName}}", "type": "{{type}}", "{{Vocabulary}}seats": { "type": "Property", "value": 6 } }"""))
            .AssertStatus(HttpStatusCode.Created);

        var (_, byIri, _) = await Http.Ngsi($"/entities?type={Uri.EscapeDataString(type)}");
        Assert.Equal(new[] { shortName, fullName }.Order(StringComparer.Ordinal), byIri!.AsArray().Ids());
        Assert.All(byIri.AsArray(), e => Assert.Equal(type, (string)e!["type"]!));
        var (_, seats, _) = await Http.Ngsi($"/entities?type={Uri.EscapeDataString(type)}&q={Uri.EscapeDataString($"{Vocabulary}seats>5")}");
        Assert.Equal([fullName], seats!.AsArray().Ids());
        var (_, types, _) = await Http.Ngsi("/types");
        Assert.Contains(type, types!["typeList"]!.AsArray().Select(t => (string)t!));
        var (_, attributes, _) = await Http.Ngsi("/attributes");
        Assert.Contains(Vocabulary + "seats", attributes!["attributeList"]!.AsArray().Select(t => (string)t!));
    }

    [Fact]
    public async Task Context_entities_are_found_by_q_and_by_georel()
    {
        var hot = NewId("Station");
        var cold = NewId("Station");
        var far = NewId("Station");
        string Station(string id, double temperature, double lon, double lat) => $$"""
            { "id": "{{id}}", "type": "Station", "temperature": { "type": "Property", "value": {{temperature}} },
              "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [{{lon}}, {{lat}}] } } }
            """;
        var batch = $"[{Station(hot, 35, 108.2210, 16.0680)}, {Station(cold, 18, 108.2215, 16.0684)}, {Station(far, 36, 108.3000, 16.1500)}]";
        (await Http.Send(HttpMethod.Post, "/entityOperations/create", batch)).AssertStatus(HttpStatusCode.Created);

        Assert.Equal(new[] { hot, far }.Order(StringComparer.Ordinal), (await Http.Entities("type=Station&q=temperature>30", "")).Ids());
        Assert.Equal([cold], (await Http.Entities("type=Station&q=temperature==10..20", "")).Ids());
        var near = (await Http.Entities("type=Station&georel=near;maxDistance==500&geometry=Point&coordinates=[108.2212,16.0682]", "")).Ids();
        Assert.Equal(new[] { hot, cold }.Order(StringComparer.Ordinal), near);
        var nearAndHot = await Http.Entities("type=Station&q=temperature>30&georel=near;maxDistance==500&geometry=Point&coordinates=[108.2212,16.0682]", "");
        Assert.Equal([hot], nearAndHot.Ids());
        var (_, page, response) = await Http.Ngsi("/entities?type=Station&limit=1&count=true");
        Assert.Single(page!.AsArray());
        Assert.True(int.Parse(response.Headers.GetValues("NGSILD-Results-Count").Single()) >= 3);
    }

    [Fact]
    public async Task Observations_with_observedAt_answer_temporal_queries()
    {
        var id = NewId("Kiosk");
        var first = DateTimeOffset.UtcNow.AddMinutes(-20);
        var second = first.AddMinutes(10);
        string Observed(double value, DateTimeOffset at) => $$"""{ "type": "Property", "value": {{value}}, "observedAt": "{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}" }""";
        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{id}}", "type": "Kiosk", "temperature": {{Observed(19, first)}} }"""))
            .AssertStatus(HttpStatusCode.Created);
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs", $$"""{ "temperature": {{Observed(24, second)}} }"""))
            .AssertStatus(HttpStatusCode.NoContent);

        var from = Uri.EscapeDataString(first.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        var (status, temporal, _) = await Http.Ngsi($"/temporal/entities/{id}?timerel=after&timeAt={from}");
        Assert.True(status == HttpStatusCode.OK, $"{status} {temporal}");
        var instances = temporal!["temperature"]!.AsArray();
        Assert.Equal([19.0, 24.0], instances.Select(i => (double)i!["value"]!));
        Assert.Equal(second.ToUnixTimeMilliseconds(), DateTimeOffset.Parse((string)instances[1]!["observedAt"]!).ToUnixTimeMilliseconds());
        var (_, aggregated, _) = await Http.Ngsi($"/temporal/entities/{id}?timerel=after&timeAt={from}&aggrMethods=max,totalCount&aggrPeriodDuration=PT0S");
        Assert.Equal(24, (double)aggregated!["temperature"]!["max"]![0]![0]!);
        Assert.Equal(2, (int)aggregated["temperature"]!["totalCount"]![0]![0]!);
    }

    [Fact]
    public async Task A_temporal_read_with_datasetId_gives_the_default_instances_history_for_none_and_no_other_instance()
    {
        const string radar = "urn:ngsi-ld:Dataset:radar";
        var id = NewId("Kiosk");
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Kiosk", "temperature": [
                { "type": "Property", "value": 21, "observedAt": "{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}" },
                { "type": "Property", "value": 35, "observedAt": "{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}", "datasetId": "{{radar}}" } ] }
            """)).AssertStatus(HttpStatusCode.Created);
        var window = $"timerel=after&timeAt={Uri.EscapeDataString(at.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"))}";

        var (_, none, _) = await Http.Ngsi($"/temporal/entities/{id}?{window}&datasetId=@none");
        Assert.Equal([21.0], none!["temperature"]!.AsArray().Select(i => (double)i!["value"]!));
        // History keeps the default instance only: the radar's instance has no past to give.
        var (_, radarOnly, _) = await Http.Ngsi($"/temporal/entities/{id}?{window}&datasetId={Uri.EscapeDataString(radar)}");
        Assert.Equal(id, (string)radarOnly!["id"]!);
        Assert.Null(radarOnly["temperature"]);
        var (_, queried, _) = await Http.Ngsi($"/temporal/entities?type=Kiosk&id={Uri.EscapeDataString(id)}&{window}&datasetId={Uri.EscapeDataString(radar)},@none");
        Assert.Equal([21.0], queried!.AsArray().Single()!["temperature"]!.AsArray().Select(i => (double)i!["value"]!));

        var bad = await Http.Ngsi($"/temporal/entities/{id}?{window}&datasetId=radar");
        bad.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.StartsWith("datasetId:", (string)bad.Body!["detail"]!);
    }

    [Fact]
    public async Task Every_change_is_raised_in_the_api_process()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = api.Services.GetRequiredService<ContextEntityChanges>().Subscribe(100, stop.Token);
        var id = NewId("Kiosk");
        (await Http.Send(HttpMethod.Post, "/entities", Kiosk(id, 20))).AssertStatus(HttpStatusCode.Created);
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/temperature", """{ "value": 21 }""")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}")).AssertStatus(HttpStatusCode.NoContent);

        var seen = new List<ContextEntityChange>();
        await foreach (var change in changes.ReadAllAsync(stop.Token))
        {
            if (change.EntityId == id) seen.Add(change);
            if (seen.Count == 3) break;
        }
        Assert.Equal([ContextChangeKind.Created, ContextChangeKind.Updated, ContextChangeKind.Deleted], seen.Select(c => c.Kind));
        var core = api.Services.GetRequiredService<LdContextStore>().Core;
        Assert.Equal([core.Expand("temperature")], seen[1].Attributes);
        Assert.All(seen, c => Assert.Equal(core.Expand("Kiosk"), c.Type));
    }

    [Fact]
    public async Task A_district_oc_sees_the_context_entities_located_in_its_districts_only()
    {
        var sonTra = (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).First(s => s.Location is not null).Location!.Value;
        var haiChau = (await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors")).First(s => s.Location is not null).Location!.Value;
        string Located(string id, GeoPoint at) => $$"""
            { "id": "{{id}}", "type": "Hydrant", "pressure": { "type": "Property", "value": 3 },
              "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [{{at.Lon}}, {{at.Lat}}] } } }
            """;
        var inSonTra = NewId("Hydrant");
        var inHaiChau = NewId("Hydrant");
        var nowhere = NewId("Hydrant");
        (await Http.Send(HttpMethod.Post, "/entityOperations/upsert",
            $$"""[{{Located(inSonTra, sonTra)}}, {{Located(inHaiChau, haiChau)}}, { "id": "{{nowhere}}", "type": "Hydrant", "pressure": 2 }]"""))
            .AssertStatus(HttpStatusCode.Created);

        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["son-tra"]);
        Assert.Equal([inSonTra], (await oc.Entities("type=Hydrant", "")).Ids());
        (await oc.Ngsi($"/entities/{inHaiChau}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await oc.Ngsi($"/entities/{nowhere}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await oc.Ngsi($"/temporal/entities/{inHaiChau}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        using var sector = api.CreateClient(TwinRoles.SectorOc, sectors: ["environment"]);
        Assert.Empty(await sector.Entities("type=Hydrant", ""));
        Assert.Equal(new[] { inSonTra, inHaiChau, nowhere }.Order(StringComparer.Ordinal), (await Http.Entities("type=Hydrant", "")).Ids());

        // Moved out of son-tra: the district OC no longer sees it.
        (await Http.Send(HttpMethod.Patch, $"/entities/{inSonTra}/attrs/location",
            $$"""{ "value": { "type": "Point", "coordinates": [{{haiChau.Lon}}, {{haiChau.Lat}}] } }""")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Empty(await oc.Entities("type=Hydrant", ""));
    }

    [Fact]
    public async Task A_location_instance_with_a_datasetId_does_not_move_the_entity_to_another_district()
    {
        var sonTra = (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).First(s => s.Location is not null).Location!.Value;
        var haiChau = (await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors")).First(s => s.Location is not null).Location!.Value;
        string At(GeoPoint at) => $$"""{ "type": "Point", "coordinates": [{{at.Lon}}, {{at.Lat}}] }""";
        var id = NewId("Valve");
        (await Http.Send(HttpMethod.Post, "/entities", $$"""
            { "id": "{{id}}", "type": "Valve", "location": { "type": "GeoProperty", "value": {{At(sonTra)}} } }
            """)).AssertStatus(HttpStatusCode.Created);
        using var sonTraOc = api.CreateClient(TwinRoles.DistrictOc, districts: ["son-tra"]);
        using var haiChauOc = api.CreateClient(TwinRoles.DistrictOc, districts: ["hai-chau"]);

        // A survey position in hai-chau added, then patched: the entity stays where its default location is.
        (await Http.Send(HttpMethod.Post, $"/entities/{id}/attrs", $$"""
            { "location": { "type": "GeoProperty", "value": {{At(haiChau)}}, "datasetId": "urn:ngsi-ld:Dataset:survey" } }
            """)).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Send(HttpMethod.Patch, $"/entities/{id}/attrs/location",
            $$"""{ "value": {{At(haiChau)}}, "datasetId": "urn:ngsi-ld:Dataset:survey" }""")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal([id], (await sonTraOc.Entities($"id={id}", "")).Ids());
        (await haiChauOc.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        // Without its default location the entity lies in no district: only the whole-city roles see it.
        (await Http.Send(HttpMethod.Delete, $"/entities/{id}/attrs/location")).AssertStatus(HttpStatusCode.NoContent);
        (await sonTraOc.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await haiChauOc.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.Ngsi($"/entities/{id}")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Writes_need_the_ioc_role_or_the_ingest_key()
    {
        using var viewer = api.CreateClient();
        viewer.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(TwinRoles.Viewer));
        var id = NewId("Kiosk");
        var refused = await viewer.Send(HttpMethod.Post, "/entities", Kiosk(id, 20));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        (await Http.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }
}
