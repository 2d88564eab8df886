using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.NgsiLd;

/// <summary>The sample city's entities as Smart Data Models, retrieved one by one and in each representation.</summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdEntitiesTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    private static string Time(DateTimeOffset time) => NgsiLdFormat.Time(time);

    private async Task<JsonObject> Retrieve(string id, string query = "", string? link = null)
    {
        var (status, body, _) = await Http.Ngsi($"/entities/{Uri.EscapeDataString(id)}{query}", link ?? NgsiLdClient.SdmLink);
        Assert.True(status == HttpStatusCode.OK, $"{id}: {status} {body}");
        return body!.AsObject();
    }

    private static double Number(JsonNode? node) => double.Parse(node!.ToJsonString(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Each_kind_of_sensor_reads_as_a_Device_and_its_Smart_Data_Models_observation()
    {
        var sensors = await SampleReadings.AllSensors(Http);
        var at = DateTimeOffset.UtcNow;
        var picked = SensorKind.Compiled
            .Select(kind => sensors.First(s => s.Kind == kind && (kind != SensorKind.TrafficCounter || s.SegmentId is not null))).ToList();
        var ack = await Http.PostReadings([.. picked.Select(s => Reading(s.Id, at, SampleReadings.ValuesFor(s.Kind, 7)))]);
        Assert.True(ack.IsSuccessStatusCode, await ack.Content.ReadAsStringAsync());

        foreach (var sensor in picked)
        {
            var device = await Retrieve($"urn:ngsi-ld:Device:{sensor.Id}");
            Assert.Equal("Device", (string)device["type"]!);
            Assert.Equal("GeoProperty", (string)device["location"]!["type"]!);
            Assert.Equal(sensor.Location!.Value.Lon, Number(device["location"]!["value"]!["coordinates"]![0]));
            Assert.Equal(sensor.Location!.Value.Lat, Number(device["location"]!["value"]!["coordinates"]![1]));
            Assert.Equal(sensor.DistrictId, (string)device["areaServed"]!["value"]!);
            if (sensor.SegmentId is { } segment)
            {
                Assert.Equal("Relationship", (string)device["controlledAsset"]!["type"]!);
                Assert.Equal($"urn:ngsi-ld:RoadSegment:{segment}", (string)device["controlledAsset"]!["object"]!);
            }
        }

        var counter = picked.Single(s => s.Kind == SensorKind.TrafficCounter);
        var traffic = await Retrieve($"urn:ngsi-ld:TrafficFlowObserved:{counter.Id}");
        Assert.Equal("TrafficFlowObserved", (string)traffic["type"]!);
        Assert.Equal(800 + 70, Number(traffic["intensity"]!["value"]));
        Assert.Equal(15 + 7, Number(traffic["averageVehicleSpeed"]!["value"]));
        Assert.Equal("KMH", (string)traffic["averageVehicleSpeed"]!["unitCode"]!);
        Assert.Equal(Time(at), (string)traffic["averageVehicleSpeed"]!["observedAt"]!);
        // The twin keeps percent; the model's occupancy is a fraction 0–1.
        Assert.Equal((20 + 7) / 100.0, Number(traffic["occupancy"]!["value"]), 6);
        Assert.Equal($"urn:ngsi-ld:RoadSegment:{counter.SegmentId}", (string)traffic["refRoadSegment"]!["object"]!);
        Assert.Equal($"urn:ngsi-ld:Device:{counter.Id}", (string)traffic["refDevice"]!["object"]!);

        var air = await Retrieve($"urn:ngsi-ld:AirQualityObserved:{picked.Single(s => s.Kind == SensorKind.AirQuality).Id}");
        Assert.Equal(40 + 7, Number(air["airQualityIndex"]!["value"]));
        Assert.Equal("GQ", (string)air["pm25"]!["unitCode"]!);
        var noise = await Retrieve($"urn:ngsi-ld:NoiseLevelObserved:{picked.Single(s => s.Kind == SensorKind.Noise).Id}");
        Assert.Equal(50 + 7, Number(noise["LAeq"]!["value"]));
        var water = await Retrieve($"urn:ngsi-ld:FloodMonitoring:{picked.Single(s => s.Kind == SensorKind.WaterLevel).Id}");
        Assert.Equal(0.05 + 0.07, Number(water["currentLevel"]!["value"]), 6);
        Assert.Equal("MTR", (string)water["currentLevel"]!["unitCode"]!);
        var light = await Retrieve($"urn:ngsi-ld:Streetlight:{picked.Single(s => s.Kind == SensorKind.Streetlight).Id}");
        Assert.Equal("on", (string)light["powerState"]!["value"]!);
        Assert.Equal(90 + 7, Number(light["powerConsumption"]!["value"]));
        var people = await Retrieve($"urn:ngsi-ld:DeviceMeasurement:{picked.Single(s => s.Kind == SensorKind.PeopleCounter).Id}");
        Assert.Equal(10 + 7, Number(people["numValue"]!["value"]));
        Assert.Equal("peopleCount", (string)people["controlledProperty"]!["value"]!);

        // A sensor's id under another observation type names nothing.
        var (status, _, _) = await Http.Ngsi($"/entities/urn:ngsi-ld:AirQualityObserved:{counter.Id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Roads_their_live_traffic_districts_and_alerts_read_as_their_models()
    {
        var (segment, counter) = await Http.SoleCounterSegment("hai-chau");
        var road = await Retrieve($"urn:ngsi-ld:RoadSegment:{segment.Spec!.Id}");
        Assert.Equal("RoadSegment", (string)road["type"]!);
        Assert.Equal("LineString", (string)road["location"]!["value"]!["type"]!);
        Assert.Equal(segment.Spec!.Geometry.Count, road["location"]!["value"]!["coordinates"]!.AsArray().Count);
        Assert.Equal(segment.Spec!.Lanes, Number(road["totalLaneNumber"]!["value"]));
        Assert.Equal(segment.Spec!.Name, (string)road["name"]!["value"]!);

        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 37, flow = 900, occupancy = 30 }));
        var live = await Eventually.Until(() => Retrieve($"urn:ngsi-ld:TrafficFlowObserved:{segment.Spec!.Id}"),
            e => e["averageVehicleSpeed"] is { } speed && Number(speed["value"]) == 37);
        Assert.Equal($"urn:ngsi-ld:RoadSegment:{segment.Spec!.Id}", (string)live["refRoadSegment"]!["object"]!);
        var rest = await Http.Get<SegmentView>($"/api/v1/segments/{segment.Spec!.Id}");
        Assert.Equal(rest.Traffic.Los.ToString(), (string)live["levelOfService"]!["value"]!);

        var district = await Http.Get<DistrictView>("/api/v1/districts/hai-chau");
        var area = await Retrieve("urn:ngsi-ld:AdministrativeArea:hai-chau");
        Assert.Equal(district.Name, (string)area["name"]!["value"]!);
        var ring = area["location"]!["value"]!["coordinates"]![0]!.AsArray();
        Assert.Equal("Polygon", (string)area["location"]!["value"]!["type"]!);
        Assert.Equal(ring[0]!.ToJsonString(), ring[^1]!.ToJsonString());

        // Bad air on a sensor of its own raises an alert, which reads as an Alert pointing at the sensor's Device.
        var sensorId = $"ngsi-aq-{Guid.NewGuid():N}"[..20];
        var put = await Http.PutJson($"/api/v1/sensors/{sensorId}",
            $$"""{ "kind": "air-quality", "sector": "environment", "location": [108.21, 16.06], "districtId": "hai-chau" }""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Http.PostReadings(Reading(sensorId, DateTimeOffset.UtcNow, new { aqi = 190 }));
        var alerts = await Eventually.Until(() => Http.Entities($"type=Alert&q=alertSource==%22urn:ngsi-ld:Device:{sensorId}%22"), a => a.Count == 1);
        var alert = alerts[0]!;
        Assert.Equal("environment", (string)alert["category"]!["value"]!);
        Assert.Equal("medium", (string)alert["severity"]!["value"]!);
        Assert.Equal("raised", (string)alert["status"]!["value"]!);
        Assert.Equal("Point", (string)alert["location"]!["value"]!["type"]!);
        var byId = await Retrieve((string)alert["id"]!);
        Assert.Equal((string)alert["id"]!, (string)byId["id"]!);
    }

    [Fact]
    public async Task KeyValues_and_concise_drop_the_attribute_wrapping_as_the_specification_says()
    {
        var (segment, counter) = await Http.SoleCounterSegment("hai-chau", 1);
        var at = DateTimeOffset.UtcNow;
        await Http.PostReadings(Reading(counter.Id, at, new { speed = 44, flow = 640, occupancy = 12 }));
        var id = $"urn:ngsi-ld:TrafficFlowObserved:{counter.Id}";

        var keyValues = await Retrieve(id, "?options=keyValues");
        Assert.Equal(44, Number(keyValues["averageVehicleSpeed"]));
        Assert.Equal($"urn:ngsi-ld:RoadSegment:{segment.Spec!.Id}", (string)keyValues["refRoadSegment"]!);
        Assert.Equal("Point", (string)keyValues["location"]!["type"]!);
        Assert.Equal(keyValues.ToJsonString(), (await Retrieve(id, "?format=simplified")).ToJsonString());

        var concise = await Retrieve(id, "?options=concise");
        Assert.Equal(44, Number(concise["averageVehicleSpeed"]!["value"]));
        Assert.Equal("KMH", (string)concise["averageVehicleSpeed"]!["unitCode"]!);
        Assert.Null(concise["averageVehicleSpeed"]!["type"]);
        Assert.Equal($"urn:ngsi-ld:RoadSegment:{segment.Spec!.Id}", (string)concise["refRoadSegment"]!["object"]!);
        Assert.Equal("Point", (string)concise["location"]!["type"]!);

        var chosen = await Retrieve(id, "?attrs=averageVehicleSpeed,occupancy&options=sysAttrs");
        Assert.Equal(["averageVehicleSpeed", "id", "modifiedAt", "occupancy", "type"], chosen.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(Time(at), (string)chosen["averageVehicleSpeed"]!["modifiedAt"]!);

        var (status, body, response) = await Http.Ngsi($"/entities/{id}?options=keyValues,concise");
        (status, body, response).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
    }

    [Fact]
    public async Task Json_answers_carry_the_context_in_a_Link_header_and_ld_json_in_the_body()
    {
        var id = "urn:ngsi-ld:AdministrativeArea:hai-chau";
        var (_, json, response) = await Http.Ngsi($"/entities/{id}", NgsiLdClient.SdmLink);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(LdContextStore.SmartDataModelsUrl, response.Headers.GetValues("Link").Single());
        Assert.Null(json!["@context"]);

        var (_, ld, ldResponse) = await Http.Ngsi($"/entities/{id}", NgsiLdClient.SdmLink, accept: "application/ld+json");
        Assert.Equal("application/ld+json", ldResponse.Content.Headers.ContentType?.MediaType);
        var context = ld!["@context"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal([LdContextStore.SmartDataModelsUrl, LdContextStore.CoreUrl], context);

        // GIS tools ask for GeoJSON: a Feature, and a FeatureCollection for a query, geometry from location.
        var (_, feature, featureResponse) = await Http.Ngsi($"/entities/{id}?options=keyValues", NgsiLdClient.SdmLink, accept: "application/geo+json");
        Assert.Equal("application/geo+json", featureResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Feature", (string)feature!["type"]!);
        Assert.Equal(id, (string)feature["id"]!);
        Assert.Equal("Polygon", (string)feature["geometry"]!["type"]!);
        Assert.Equal("AdministrativeArea", (string)feature["properties"]!["type"]!);
        var (_, collection, _) = await Http.Ngsi("/entities?type=RoadSegment&limit=5", NgsiLdClient.SdmLink, accept: "application/geo+json");
        Assert.Equal("FeatureCollection", (string)collection!["type"]!);
        Assert.Equal(5, collection["features"]!.AsArray().Count);
        Assert.All(collection["features"]!.AsArray(), f => Assert.Equal("LineString", (string)f!["geometry"]!["type"]!));
        var (_, types, _) = await Http.Ngsi("/types", NgsiLdClient.SdmLink, accept: "application/geo+json");
        Assert.Equal("EntityTypeList", (string)types!["type"]!);
        Assert.Equal(HttpStatusCode.NotAcceptable, (await Http.Ngsi($"/entities/{id}", NgsiLdClient.SdmLink, accept: "text/html")).Status);

        // Without a context the core context applies: the model's type comes back as its full IRI.
        var (_, bare, bareResponse) = await Http.Ngsi($"/entities/{id}");
        Assert.Equal(Sdm.AdministrativeArea, (string)bare!["type"]!);
        Assert.Contains(LdContextStore.CoreUrl, bareResponse.Headers.GetValues("Link").Single());
        Assert.Equal("GeoProperty", (string)bare["location"]!["type"]!);
    }
}
