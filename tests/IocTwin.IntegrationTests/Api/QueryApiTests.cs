using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class QueryApiTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task City_lists_the_seven_districts_of_Da_Nang_with_Vietnamese_names()
    {
        var city = await Http.Get<CityView>("/api/v1/city");

        var names = city.Districts!.Select(d => d.Name).ToHashSet();
        foreach (var name in new[] { "Hải Châu", "Thanh Khê", "Sơn Trà", "Ngũ Hành Sơn", "Liên Chiểu", "Cẩm Lệ", "Hòa Vang" })
        {
            Assert.Contains(name, names);
        }
    }

    [Fact]
    public async Task Districts_carry_boundary_and_members()
    {
        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        var haiChau = Assert.Single(districts, d => d.Id == "hai-chau");
        Assert.True(haiChau.Boundary!.Count >= 3);
        Assert.True(haiChau.SegmentCount > 0);

        var segments = await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments");
        var sensors = await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        Assert.Equal(haiChau.SegmentCount, segments.Count);
        Assert.All(segments, s => Assert.Equal("hai-chau", s.Spec!.DistrictId));
        Assert.All(sensors, s => Assert.Equal("hai-chau", s.DistrictId));
        Assert.Equal(haiChau.SensorCount, sensors.Count);

        var one = await Http.Get<SegmentView>($"/api/v1/segments/{segments[0].Spec!.Id}");
        Assert.Equal(segments[0].Spec!.Name, one.Spec!.Name);
        Assert.True(one.Spec!.LengthM > 0);
    }

    [Theory]
    [InlineData("/api/v1/districts/atlantis")]
    [InlineData("/api/v1/districts/atlantis/segments")]
    [InlineData("/api/v1/districts/atlantis/sensors")]
    [InlineData("/api/v1/segments/no-such-road")]
    [InlineData("/api/v1/sensors/no-such-sensor")]
    public async Task Unknown_ids_are_404_problem_details(string path)
    {
        var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.ReadObject();
        Assert.Equal(404, (int)body["status"]!);
    }

    [Fact]
    public async Task Health_endpoints_answer_when_the_cluster_is_up()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api()
    {
        var document = await (await Http.GetAsync("/openapi/v1.json")).ReadObject();

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/readings", paths);
        Assert.Contains("/api/v1/city", paths);
        Assert.Contains("/api/v1/sensors/{id}", paths);
        Assert.Contains("/api/v1/import", paths);
    }

    [Fact]
    public async Task OpenApi_document_describes_a_sensors_last_reading_as_named_numbers()
    {
        var document = await (await Http.GetAsync("/openapi/v1.json")).ReadObject();
        var schemas = document["components"]!["schemas"]!.AsObject();
        JsonObject Resolve(JsonNode? node) => node?["$ref"] is { } reference
            ? schemas[((string)reference!).Split('/').Last()]!.AsObject()
            : Resolve(node!["oneOf"]?.AsArray().FirstOrDefault(n => n?["$ref"] is not null) ?? node["anyOf"]!.AsArray().First(n => n?["$ref"] is not null));

        var sensor = Resolve(document["paths"]!["/api/v1/sensors/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        var reading = Resolve(sensor["properties"]!["lastReading"]);
        var values = reading["properties"]!["values"]!;
        values = values["$ref"] is null ? values : Resolve(values);

        Assert.Equal("object", (string)values["type"]!);
        Assert.Equal("number", (string)values["additionalProperties"]!["type"]!);
    }
}
