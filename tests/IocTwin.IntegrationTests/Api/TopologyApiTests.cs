using System.Net;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class TopologyApiTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_registered_sensor_is_listed_in_its_segments_district_and_takes_readings()
    {
        var (segment, _) = await Http.CountedSegment("son-tra");
        var id = NewId("aq");

        var response = await Http.PutJson($"/api/v1/sensors/{id}",
            $$"""{ "name": "AQ bến cảng", "kind": "air-quality", "sector": "environment", "location": [108.245, 16.08], "segmentId": "{{segment.Spec!.Id}}" }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sensor = await Http.Get<SensorView>($"/api/v1/sensors/{id}");
        Assert.Equal("son-tra", sensor.DistrictId);
        Assert.Equal(SensorKind.AirQuality, sensor.Kind);
        Assert.Equal("AQ bến cảng", sensor.Name);
        Assert.Contains(id, (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).Select(s => s.Id));
        Assert.Contains(id, (await Http.Get<SegmentView>($"/api/v1/segments/{segment.Spec!.Id}")).SensorIds!);

        await Http.PostReadings(TwinApiClient.Reading(id, DateTimeOffset.UtcNow, new { aqi = 420 }));
        await Eventually.Until(() => Http.Get<DistrictView>("/api/v1/districts/son-tra"), d => d.Kpis.WorstAqi.Value == 420);
    }

    [Theory]
    [InlineData("""{ "kind": "laser-beam", "sector": "traffic", "location": [108.2, 16.05], "districtId": "hai-chau" }""", "kind")]
    [InlineData("""{ "kind": "noise", "sector": "traffic", "location": [508.2, 16.05], "districtId": "hai-chau" }""", "location")]
    [InlineData("""{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "districtId": "atlantis" }""", "districtId")]
    [InlineData("""{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "segmentId": "no-such-road" }""", "segmentId")]
    [InlineData("""{ "sector": "environment", "location": [108.2, 16.05], "districtId": "hai-chau" }""", "kind")]
    [InlineData("""{ "kind": "noise", "sector": "environment", "location": "here", "districtId": "hai-chau" }""", "location")]
    [InlineData("""[1, 2]""", "body")]
    public async Task A_bad_sensor_is_a_400_naming_the_field_and_creates_nothing(string json, string field)
    {
        var id = NewId("bad");

        var response = await Http.PutJson($"/api/v1/sensors/{id}", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_invalid_id_in_the_path_is_a_400()
    {
        var response = await Http.PutJson("/api/v1/sensors/bad%20id%3B%20drop",
            """{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "districtId": "hai-chau" }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id", await response.ProblemFields());
    }

    [Fact]
    public async Task Closing_a_segment_takes_it_out_of_the_district_speed_and_is_kept()
    {
        var id = NewId("road");
        var put = await Http.PutJson($"/api/v1/segments/{id}",
            """{ "name": "Đường thử", "districtId": "cam-le", "fromNode": "t-1", "toNode": "t-2", "geometry": [[108.20, 16.01], [108.21, 16.01]], "lanes": 2, "capacityVph": 1800, "freeFlowSpeedKmh": 40 }""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var created = await Http.Get<SegmentView>($"/api/v1/segments/{id}");
        Assert.InRange(created.Spec!.LengthM, 1000, 1100);
        Assert.Equal(SegmentStatus.Open, created.Status);

        var close = await Http.PutJson($"/api/v1/segments/{id}",
            """{ "name": "Đường thử", "districtId": "cam-le", "fromNode": "t-1", "toNode": "t-2", "geometry": [[108.20, 16.01], [108.21, 16.01]], "lanes": 2, "capacityVph": 1800, "freeFlowSpeedKmh": 40, "status": "closed" }""");

        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        var closed = await Http.Get<SegmentView>($"/api/v1/segments/{id}");
        Assert.Equal(SegmentStatus.Closed, closed.Status);
        Assert.Null(closed.Traffic.Los);
        Assert.Contains(id, (await Http.Get<List<SegmentView>>("/api/v1/districts/cam-le/segments")).Select(s => s.Spec!.Id));
    }

    [Theory]
    [InlineData("""{ "name": "x", "districtId": "cam-le", "fromNode": "a", "toNode": "b", "geometry": [[108.2, 16.0]], "lanes": 2 }""", "geometry")]
    [InlineData("""{ "name": "x", "districtId": "cam-le", "fromNode": "a", "toNode": "b", "geometry": [[108.2, 16.0], [108.3, 16.0]], "lanes": 0 }""", "lanes")]
    [InlineData("""{ "name": "x", "districtId": "cam-le", "fromNode": "a", "toNode": "b", "geometry": [[108.2, 16.0], [108.3, 16.0]], "status": "melted" }""", "status")]
    [InlineData("""{ "name": "x", "districtId": "mars", "fromNode": "a", "toNode": "b", "geometry": [[108.2, 16.0], [108.3, 16.0]] }""", "districtId")]
    [InlineData("""{ "name": "x", "districtId": "cam-le", "fromNode": "a", "toNode": "b", "geometry": [[108.2, 16.0], [108.3, 16.0]], "freeFlowSpeedKmh": -5 }""", "freeFlowSpeedKmh")]
    public async Task A_bad_segment_is_a_400_naming_the_field_and_creates_nothing(string json, string field)
    {
        var id = NewId("bad");

        var response = await Http.PutJson($"/api/v1/segments/{id}", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/segments/{id}")).StatusCode);
    }

    [Fact]
    public async Task Import_adds_a_district_with_its_roads_and_sensors()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var geojson = $$"""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [[[108.0, 15.9], [108.1, 15.9], [108.1, 16.0], [108.0, 15.9]]] },
            "properties": { "type": "district", "id": "hoang-sa-{{tag}}", "name": "Hoàng Sa" } },
          { "type": "Feature", "geometry": { "type": "LineString", "coordinates": [[108.01, 15.95], [108.02, 15.95]] },
            "properties": { "type": "segment", "id": "hs-road-{{tag}}", "name": "Đường đảo", "districtId": "hoang-sa-{{tag}}",
                            "fromNode": "hs-a-{{tag}}", "toNode": "hs-b-{{tag}}", "lanes": 2, "capacityVph": 1600, "freeFlowSpeedKmh": 40 } },
          { "type": "Feature", "geometry": { "type": "Point", "coordinates": [108.015, 15.95] },
            "properties": { "type": "sensor", "id": "hs-counter-{{tag}}", "kind": "traffic-counter", "sector": "traffic",
                            "districtId": "hoang-sa-{{tag}}", "segmentId": "hs-road-{{tag}}" } }
        ] }
        """;

        var response = await Http.PostJson("/api/v1/import", geojson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.ReadObject();
        Assert.Equal(1, (int)summary["districts"]!);
        Assert.Equal(1, (int)summary["segments"]!);
        Assert.Equal(1, (int)summary["sensors"]!);
        var district = await Http.Get<DistrictView>($"/api/v1/districts/hoang-sa-{tag}");
        Assert.Equal("Hoàng Sa", district.Name);
        await Eventually.Until(() => Http.Get<CityView>("/api/v1/city"), c => c.Districts!.Any(d => d.Id == district.Id));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/api/v1/sensors/hs-counter-{tag}")).StatusCode);
    }

    [Fact]
    public async Task An_import_with_one_bad_feature_is_a_400_naming_it_and_imports_nothing()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var geojson = $$"""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "geometry": { "type": "LineString", "coordinates": [[108.01, 15.95], [108.02, 15.95]] },
            "properties": { "type": "segment", "id": "ok-road-{{tag}}", "name": "Đường tốt", "districtId": "hai-chau",
                            "fromNode": "ok-a-{{tag}}", "toNode": "ok-b-{{tag}}", "lanes": 2, "capacityVph": 1600, "freeFlowSpeedKmh": 40 } },
          { "type": "Feature", "geometry": { "type": "Point", "coordinates": [108.015, 15.95] },
            "properties": { "type": "sensor", "id": "bad-sensor-{{tag}}", "kind": "crystal-ball", "sector": "traffic", "districtId": "hai-chau" } }
        ] }
        """;

        var response = await Http.PostJson("/api/v1/import", geojson);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(await response.ProblemFields(), f => f.StartsWith("features[1]", StringComparison.Ordinal) && f.Contains("kind"));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/segments/ok-road-{tag}")).StatusCode);
    }

    [Fact]
    public async Task A_partial_import_takes_the_valid_features_and_reports_the_others()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var geojson = $$"""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "geometry": { "type": "Point", "coordinates": [108.21, 16.06] },
            "properties": { "type": "sensor", "id": "lamp-{{tag}}", "kind": "streetlight", "sector": "lighting", "districtId": "hai-chau" } },
          { "type": "Feature", "geometry": { "type": "Point", "coordinates": [108.22, 16.06] },
            "properties": { "type": "sensor", "id": "bad-lamp-{{tag}}", "kind": "lava-lamp", "sector": "lighting", "districtId": "hai-chau" } },
          { "type": "Feature", "geometry": { "type": "Point", "coordinates": [108.23, 16.06] },
            "properties": { "type": "sensor", "id": "lost-lamp-{{tag}}", "kind": "streetlight", "sector": "lighting", "districtId": "atlantis" } }
        ] }
        """;

        var response = await Http.PostJson("/api/v1/import?partial=true", geojson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadObject();
        Assert.Equal(1, (int)report["sensors"]!);
        var rejected = report["rejected"]!.AsArray();
        Assert.Equal(2, rejected.Count);
        Assert.Contains(rejected, r => (string)r!["field"]! == "features[1].properties.kind");
        Assert.Contains(rejected, r => ((string)r!["field"]!).StartsWith("features[2]", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/api/v1/sensors/lamp-{tag}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/bad-lamp-{tag}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/lost-lamp-{tag}")).StatusCode);
    }

    [Theory]
    [InlineData("application/geo+json", "cut", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "empty", HttpStatusCode.BadRequest)]
    [InlineData("text/plain", "whole", HttpStatusCode.UnsupportedMediaType)]
    public async Task An_import_body_that_is_not_a_json_document_is_refused_and_imports_nothing(string contentType, string shape, HttpStatusCode expected)
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var whole = $$"""
        { "type": "FeatureCollection", "features": [
          { "type": "Feature", "geometry": { "type": "Polygon", "coordinates": [[[108.0, 15.9], [108.1, 15.9], [108.1, 16.0], [108.0, 15.9]]] },
            "properties": { "type": "district", "id": "cut-off-{{tag}}", "name": "Cut off" } }
        ] }
        """;
        var body = shape switch
        {
            "cut" => whole[..(whole.LastIndexOf(']') - 1)],
            "empty" => "",
            _ => whole,
        };

        using var response = await Http.PostAsync("/api/v1/import", new StringContent(body, System.Text.Encoding.UTF8, contentType));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Contains("body", await response.ProblemFields());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/districts/cut-off-{tag}")).StatusCode);
    }

    [Fact]
    public async Task An_import_with_no_body_and_no_media_type_is_a_400_naming_the_body()
    {
        using var response = await Http.PostAsync("/api/v1/import", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body", await response.ProblemFields());
    }

    [Fact]
    public async Task Importing_something_that_is_not_a_feature_collection_is_a_400()
    {
        var response = await Http.PostJson("/api/v1/import", """{ "type": "Point", "coordinates": [1, 2] }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body", await response.ProblemFields());
    }
}
