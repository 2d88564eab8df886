using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Moving assets as Smart Data Models Vehicles: read scoped as the REST asset list, written as position reports.</summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdVehicleTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    private static string Position(GeoPoint at, DateTimeOffset observedAt, double speed = 42.5, double heading = 90, string status = "enRoute") => $$"""
        "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [{{at.Lon}}, {{at.Lat}}] }, "observedAt": "{{observedAt:O}}" },
        "speed": { "type": "Property", "value": {{speed}}, "unitCode": "KMH" },
        "heading": { "type": "Property", "value": {{heading}} },
        "serviceStatus": { "type": "Property", "value": "{{status}}" }
        """;

    private static string Urn(string assetId) => $"urn:ngsi-ld:Vehicle:{assetId}";

    [Fact]
    public async Task A_registered_asset_is_a_Vehicle_seen_as_on_REST_and_a_written_location_is_its_position_report()
    {
        var asset = await Http.RegisterAsset();
        var (haiChau, sonTra) = (await Http.PlaceIn("hai-chau"), await Http.PlaceIn("son-tra"));
        var start = DateTimeOffset.UtcNow.AddMinutes(-2);

        var (status, body, _) = await Http.NgsiWrite($"/entities/{Urn(asset)}/attrs", $"{{ {Position(haiChau, start)} }}", HttpMethod.Patch);

        Assert.True(status == HttpStatusCode.NoContent, $"{status} {body}");
        var moved = await Eventually.Until(() => Http.Get<AssetView>($"/api/v1/assets/{asset}"), a => a.AreaId == "hai-chau");
        Assert.Equal((haiChau, 42.5, 90.0, "en-route"), (moved.Location!.Value, moved.SpeedKmh, moved.HeadingDeg, moved.Status));
        Assert.Equal(start.ToUnixTimeMilliseconds(), moved.ReportedAt!.Value.ToUnixTimeMilliseconds());

        var (read, vehicle, _) = await Http.Ngsi($"/entities/{Urn(asset)}", NgsiLdClient.SdmLink);
        Assert.True(read == HttpStatusCode.OK, $"{read} {vehicle}");
        Assert.Equal("Vehicle", (string)vehicle!["type"]!);
        Assert.Equal([haiChau.Lon, haiChau.Lat], vehicle["location"]!["value"]!["coordinates"]!.AsArray().Select(c => (double)c!));
        Assert.Equal((42.5, "KMH"), ((double)vehicle["speed"]!["value"]!, (string)vehicle["speed"]!["unitCode"]!));
        Assert.Equal(90, (double)vehicle["heading"]!["value"]!);
        Assert.Equal("enRoute", (string)vehicle["serviceStatus"]!["value"]!);
        Assert.Equal("ambulance", (string)vehicle["vehicleType"]!["value"]!);

        // Scoped as GET /api/v1/assets: the OCs of the district it is in and of its sector.
        using var haiChauOc = api.CreateClient(TwinRoles.DistrictOc, districts: ["hai-chau"]);
        using var sonTraOc = api.CreateClient(TwinRoles.DistrictOc, districts: ["son-tra"]);
        using var safetyOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["public-safety"]);
        using var trafficOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["traffic"]);
        async Task<bool> SeesAsync(HttpClient oc) => (await oc.Entities("type=Vehicle&limit=1000")).Ids().Contains(Urn(asset));
        Assert.True(await SeesAsync(haiChauOc));
        Assert.True(await SeesAsync(safetyOc));
        Assert.False(await SeesAsync(sonTraOc));
        Assert.False(await SeesAsync(trafficOc));
        (await sonTraOc.Ngsi($"/entities/{Urn(asset)}", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        // A batch upsert of the Vehicle (as read, sent back with a new place) moves it into the other district.
        var upsert = $$"""[{ "id": "{{Urn(asset)}}", "type": "Vehicle", "vehicleType": { "type": "Property", "value": "ambulance" }, {{Position(sonTra, start.AddSeconds(30), speed: 12)}} }]""";
        var (upserted, upsertBody, _) = await Http.NgsiWrite("/entityOperations/upsert", upsert);
        Assert.True(upserted == HttpStatusCode.NoContent, $"{upserted} {upsertBody}");
        await Eventually.Until(() => Http.Get<AssetView>($"/api/v1/assets/{asset}"), a => a.AreaId == "son-tra");
        Assert.True(await SeesAsync(sonTraOc));
        Assert.False(await SeesAsync(haiChauOc));
    }

    [Fact]
    public async Task Vehicle_writes_for_unknown_assets_or_bad_positions_get_ETSI_errors_and_change_nothing()
    {
        var asset = await Http.RegisterAsset("bus");
        var place = await Http.PlaceIn("cam-le");
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.NgsiWrite($"/entities/{Urn(asset)}/attrs", $"{{ {Position(place, at)} }}", HttpMethod.Patch)).Status);
        var before = await Eventually.Until(() => Http.Get<AssetView>($"/api/v1/assets/{asset}"), a => a.Location is not null);

        (await Http.NgsiWrite($"/entities/{Urn("no-such-bus")}/attrs", $"{{ {Position(place, at.AddSeconds(5))} }}", HttpMethod.Patch))
            .AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        var tooFast = await Http.NgsiWrite($"/entities/{Urn(asset)}/attrs", $"{{ {Position(place, at.AddSeconds(5), speed: 999)} }}", HttpMethod.Patch);
        tooFast.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.Contains("'speed'", (string)tooFast.Body!["detail"]!);
        var noPlace = await Http.NgsiWrite($"/entities/{Urn(asset)}/attrs", """{ "speed": { "type": "Property", "value": 30 } }""", HttpMethod.Patch);
        noPlace.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.Contains("'location'", (string)noPlace.Body!["detail"]!);

        // In a batch each entity stands alone: the unknown Vehicle is refused, the known one moves.
        var moved = new GeoPoint(place.Lon + 0.0005, place.Lat);
        var batch = $$"""
            [{ "id": "{{Urn(asset)}}", "type": "Vehicle", {{Position(moved, at.AddSeconds(10))}} },
             { "id": "{{Urn("no-such-bus")}}", "type": "Vehicle", {{Position(moved, at.AddSeconds(10))}} }]
            """;
        var (status, result, _) = await Http.NgsiWrite("/entityOperations/upsert", batch);
        Assert.True(status == HttpStatusCode.MultiStatus, $"{status} {result}");
        Assert.Equal([Urn(asset)], result!["success"]!.AsArray().Select(id => (string)id!));
        var error = Assert.Single(result["errors"]!.AsArray())!;
        Assert.Equal((Urn("no-such-bus"), 404), ((string)error["entityId"]!, (int)error["error"]!["status"]!));

        var after = await Eventually.Until(() => Http.Get<AssetView>($"/api/v1/assets/{asset}"), a => a.Location != before.Location);
        Assert.Equal(moved, after.Location);
        // The refused writes left no trace in the track: the first and the batch's positions only.
        var window = $"from={Uri.EscapeDataString(at.AddSeconds(-1).ToString("O"))}&to={Uri.EscapeDataString(at.AddSeconds(20).ToString("O"))}";
        Assert.Equal(2, (await Http.Get<JsonObject>($"/api/v1/assets/{asset}/track?{window}"))["points"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/assets/no-such-bus")).StatusCode);
    }
}
