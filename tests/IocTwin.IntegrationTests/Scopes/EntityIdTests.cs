using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Api;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Scopes;

/// <summary>
/// Segments and sensors share the hub's scope "entity:{id}": an id names one entity of either kind, or a district OC
/// subscribing to its own road would be sent another district's sensor of the same id.
/// </summary>
[Collection(ScopesCollection.Name)]
public sealed class EntityIdTests(ScopesTwinFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_sensor_may_not_take_a_segments_id_nor_a_segment_a_sensors()
    {
        var road = (await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments"))[0];
        // Not the sensor another test registers under a road's id.
        var sensor = (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).First(s => s.Kind != SensorKind.AirQuality);

        var sensorOnRoadsId = await Http.PutJson($"/api/v1/sensors/{road.Spec!.Id}",
            """{ "kind": "air-quality", "sector": "environment", "location": [108.24, 16.08], "districtId": "son-tra" }""");
        var roadOnSensorsId = await Http.PutJson($"/api/v1/segments/{sensor.Id}",
            JsonSerializer.Serialize(road.Spec with { Id = sensor.Id, FromNode = "x-a", ToNode = "x-b" }, IocTwin.Api.Json.TwinJson.Options));

        Assert.Equal(HttpStatusCode.Conflict, sensorOnRoadsId.StatusCode);
        Assert.Equal("id", (string)(await sensorOnRoadsId.ReadObject())["field"]!);
        Assert.Equal(HttpStatusCode.Conflict, roadOnSensorsId.StatusCode);
        Assert.Equal("id", (string)(await roadOnSensorsId.ReadObject())["field"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/{road.Spec!.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/segments/{sensor.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_import_may_not_give_a_sensor_a_segments_id()
    {
        var road = (await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments"))[0];
        var geojson = $$"""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "geometry": { "type": "Point", "coordinates": [108.24, 16.08] },
            "properties": { "type": "sensor", "id": "{{road.Spec!.Id}}", "kind": "air-quality", "sector": "environment", "districtId": "son-tra" } }
        ] }
        """;

        var response = await Http.PostJson("/api/v1/import", geojson);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("features[0].properties.id", await response.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/{road.Spec!.Id}")).StatusCode);
    }

    [Fact]
    public async Task The_hub_refuses_an_OC_an_id_shared_by_its_road_and_another_districts_sensor()
    {
        // Registered before ids were unique across kinds: straight to the grains, as an older twin may hold them.
        var road = (await Http.Get<List<SegmentView>>("/api/v1/districts/thanh-khe/segments"))[0];
        await api.Services.GetRequiredService<IGrainFactory>().GetGrain<ISensorGrain>(road.Spec!.Id)
            .Register(new SensorSpec(road.Spec!.Id, SensorKind.AirQuality, Sector.Environment, new GeoPoint(108.24, 16.08), "son-tra", null, "shares a road's id"));
        await using var ownRoads = await api.Screen(api.NamedToken("Thanh Khe desk", TwinRoles.DistrictOc, districts: ["thanh-khe"]));
        await using var ioc = await api.Screen(api.NamedToken("Lan", TwinRoles.Ioc));

        var refused = await Assert.ThrowsAsync<HubException>(() => ownRoads.InvokeAsync<JsonElement>("Subscribe", $"entity:{road.Spec!.Id}"));

        Assert.Contains("Forbidden", refused.Message);
        // The IOC, which sees both, still may.
        await ioc.InvokeAsync<JsonElement>("Subscribe", $"entity:{road.Spec!.Id}");
        // The road's own scope is still the OC's.
        await ownRoads.InvokeAsync<JsonElement>("Subscribe", "district:thanh-khe");
    }
}
