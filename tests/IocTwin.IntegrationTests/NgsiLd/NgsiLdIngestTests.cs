using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Extensions;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Observation entities written over NGSI-LD are readings of their sensors, checked like every other reading.</summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdIngestTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task An_upserted_TrafficFlowObserved_changes_its_sensor_its_segments_level_of_service_and_history()
    {
        var (segment, counter) = await Http.CountedSegment("thanh-khe");
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.2, 1);
        var at = DateTimeOffset.UtcNow.AddSeconds(-5);
        var entity = Observation(counter.Id, at, $$"""
            "averageVehicleSpeed": { "type": "Property", "value": {{slow}}, "unitCode": "KMH" },
            "intensity": { "type": "Property", "value": 1500 },
            "occupancy": { "type": "Property", "value": 0.9, "unitCode": "C62" }
            """);

        var (status, body, _) = await Http.NgsiWrite("/entityOperations/upsert", $"[{entity}]");

        Assert.True(status == HttpStatusCode.NoContent, $"{status} {body}");
        var seen = await Eventually.Until(() => Http.Get<SegmentView>($"/api/v1/segments/{segment.Spec!.Id}"), s => s.Traffic.Los == LevelOfService.F);
        Assert.Equal(slow, seen.Traffic.SpeedKmh);
        var sensor = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(slow, sensor.LastReading!.Values["speed"]);
        Assert.Equal(90, sensor.LastReading.Values["occupancy"], 6);
        Assert.Equal(1500, sensor.LastReading.Values["flow"]);
        Assert.Equal(at.ToUnixTimeMilliseconds(), sensor.LastReading.Timestamp.ToUnixTimeMilliseconds());

        var from = Uri.EscapeDataString(at.AddMinutes(-1).ToString("O"));
        var to = Uri.EscapeDataString(at.AddMinutes(1).ToString("O"));
        var history = await (await Http.GetAsync($"/api/v1/sensors/{counter.Id}/history?from={from}&to={to}&step=PT2M")).ReadObject();
        Assert.Contains(history["buckets"]!.AsArray(), b => (double?)b!["values"]!["speed"]?["min"] == slow);
    }

    [Fact]
    public async Task A_batch_with_bad_entities_answers_207_and_applies_only_the_good_ones()
    {
        var sensors = await Http.Get<List<SensorView>>("/api/v1/districts/cam-le/sensors");
        var counters = sensors.Where(s => s.Kind == SensorKind.TrafficCounter).Take(2).ToList();
        var air = sensors.Concat(await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors")).First(s => s.Kind == SensorKind.AirQuality);
        var (good, tooFull) = (counters[0], counters[1]);
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{tooFull.Id}");
        var now = DateTimeOffset.UtcNow;
        var batch = $$"""
        [
          {{Observation(good.Id, now, "\"averageVehicleSpeed\": { \"type\": \"Property\", \"value\": 37.5 }")}},
          {{Observation("no-such-sensor", now, "\"averageVehicleSpeed\": { \"type\": \"Property\", \"value\": 40 }")}},
          {{Observation(tooFull.Id, now, "\"occupancy\": { \"type\": \"Property\", \"value\": 1.5 }")}},
          { "id": "urn:ngsi-ld:RoadSegment:{{good.SegmentId}}", "type": "RoadSegment", "name": { "type": "Property", "value": "x" } },
          { "id": "urn:ngsi-ld:AirQualityObserved:{{air.Id}}", "type": "AirQualityObserved", "pm25": { "type": "Property", "value": 12.5, "unitCode": "GQ" } }
        ]
        """;

        var (status, body, _) = await Http.NgsiWrite("/entityOperations/update", batch);

        Assert.True(status == HttpStatusCode.MultiStatus, $"{status} {body}");
        Assert.Equal([$"urn:ngsi-ld:TrafficFlowObserved:{good.Id}", $"urn:ngsi-ld:AirQualityObserved:{air.Id}"],
            body!["success"]!.AsArray().Select(id => (string)id!));
        var errors = body["errors"]!.AsArray().ToDictionary(e => (string)e!["entityId"]!, e => (string)e!["error"]!["type"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["urn:ngsi-ld:TrafficFlowObserved:no-such-sensor"] = NgsiLdProblemsBase + "ResourceNotFound",
            [$"urn:ngsi-ld:TrafficFlowObserved:{tooFull.Id}"] = NgsiLdProblemsBase + "BadRequestData",
            [$"urn:ngsi-ld:RoadSegment:{good.SegmentId}"] = NgsiLdProblemsBase + "OperationNotSupported",
        }, errors);
        Assert.Contains("occupancy", (string)body["errors"]!.AsArray().First(e => (string)e!["entityId"]! == $"urn:ngsi-ld:TrafficFlowObserved:{tooFull.Id}")!["error"]!["detail"]!);

        Assert.Equal(37.5, (await Http.Get<SensorView>($"/api/v1/sensors/{good.Id}")).LastReading!.Values["speed"]);
        Assert.Equal(12.5, (await Http.Get<SensorView>($"/api/v1/sensors/{air.Id}")).LastReading!.Values["pm25"]);
        Assert.Equal(before.ReadingCount, (await Http.Get<SensorView>($"/api/v1/sensors/{tooFull.Id}")).ReadingCount);
    }

    [Theory]
    [InlineData("averageVehicleSpeed", "1.7e308")]
    [InlineData("occupancy", "1.5")]
    [InlineData("intensity", "\"busy\"")]
    [InlineData("pm25", "12")]
    public async Task A_bad_attribute_is_refused_naming_it_and_changes_nothing(string attribute, string value)
    {
        var (_, counter) = await Http.CountedSegment("ngu-hanh-son");
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        var fragment = $$"""{ "{{attribute}}": { "type": "Property", "value": {{value}}, "observedAt": "{{DateTimeOffset.UtcNow:O}}" } }""";

        var answer = await Http.NgsiWrite($"/entities/urn:ngsi-ld:TrafficFlowObserved:{counter.Id}/attrs", fragment, HttpMethod.Patch);

        answer.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.Contains(attribute, (string)answer.Body!["detail"]!);
        Assert.Equal(before.ReadingCount, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount);
    }

    [Fact]
    public async Task Patching_attributes_is_a_reading_and_an_unknown_sensor_is_not_found()
    {
        var (_, counter) = await Http.CountedSegment("son-tra");
        var fragment = $$"""{ "averageVehicleSpeed": { "type": "Property", "value": 44.4, "observedAt": "{{DateTimeOffset.UtcNow:O}}" } }""";

        var (status, body, _) = await Http.NgsiWrite($"/entities/urn:ngsi-ld:TrafficFlowObserved:{counter.Id}/attrs", fragment, HttpMethod.Patch);

        Assert.True(status == HttpStatusCode.NoContent, $"{status} {body}");
        Assert.Equal(44.4, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).LastReading!.Values["speed"]);
        (await Http.NgsiWrite("/entities/urn:ngsi-ld:TrafficFlowObserved:no-such-sensor/attrs", fragment))
            .AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }

    [Fact]
    public async Task Ld_json_entities_are_read_under_their_own_context()
    {
        var (_, counter) = await Http.CountedSegment("hai-chau");
        // The city's context calls TrafficFlowObserved "Counter" and averageVehicleSpeed "speed".
        var batch = $$"""
        [{ "@context": "{{NgsiLdTwinFactory.CityContextUrl}}", "id": "urn:ngsi-ld:TrafficFlowObserved:{{counter.Id}}", "type": "Counter",
           "speed": { "type": "Property", "value": 33.3, "observedAt": "{{DateTimeOffset.UtcNow:O}}" } }]
        """;
        using var request = new HttpRequestMessage(HttpMethod.Post, NgsiLdClient.Api + "/entityOperations/upsert")
        {
            Content = new StringContent(batch, Encoding.UTF8, "application/ld+json"),
        };

        using var response = await Http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(33.3, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).LastReading!.Values["speed"]);
    }

    [Fact]
    public async Task Writes_need_the_ingest_key_or_the_ioc_role()
    {
        var (_, counter) = await Http.CountedSegment("lien-chieu");
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        var fragment = $$"""{ "averageVehicleSpeed": { "type": "Property", "value": 51, "observedAt": "{{DateTimeOffset.UtcNow:O}}" } }""";
        var path = $"/entities/urn:ngsi-ld:TrafficFlowObserved:{counter.Id}/attrs";

        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.NgsiWrite(path, fragment)).Status);
        using var viewer = api.CreateClient(TwinRoles.Viewer);
        viewer.DefaultRequestHeaders.Remove(AccessExtensions.ApiKeyHeader);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.NgsiWrite(path, fragment)).Status);
        Assert.Equal(before.ReadingCount, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount);

        using var feed = api.CreateClient();
        feed.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, TwinApiFactory.IngestApiKey);
        Assert.Equal(HttpStatusCode.NoContent, (await feed.NgsiWrite(path, fragment)).Status);
        Assert.Equal(51, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).LastReading!.Values["speed"]);
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_whole()
    {
        var (_, counter) = await Http.CountedSegment("hoa-vang");
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        var entity = Observation(counter.Id, DateTimeOffset.UtcNow, "\"intensity\": { \"type\": \"Property\", \"value\": 10 }");
        var batch = "[" + string.Join(",", Enumerable.Repeat(entity, IocTwin.Api.NgsiLd.NgsiLdIngestApi.MaxBatchEntities + 1)) + "]";

        (await Http.NgsiWrite("/entityOperations/upsert", batch)).AssertProblem(HttpStatusCode.RequestEntityTooLarge, "BadRequestData");
        Assert.Equal(before.ReadingCount, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount);
    }

    [Theory]
    [InlineData("POST", "/ngsi-ld/v1/entityOperations/upsert", RequestCategory.Ingest)]
    [InlineData("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:TrafficFlowObserved:x/attrs", RequestCategory.Ingest)]
    [InlineData("POST", "/ngsi-ld/v1/entityOperations/query", RequestCategory.Reads)]
    [InlineData("GET", "/ngsi-ld/v1/entities", RequestCategory.Reads)]
    [InlineData("POST", "/ngsi-ld/v1/temporal/entityOperations/query", RequestCategory.History)]
    [InlineData("GET", "/ngsi-ld/v1/temporal/entities", RequestCategory.History)]
    [InlineData("GET", "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TrafficFlowObserved:x", RequestCategory.History)]
    public void Writes_on_ngsi_ld_are_rate_limited_as_ingest(string method, string path, RequestCategory expected)
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        Assert.Equal(expected, RateLimitingExtensions.CategoryOf(http.Request));
    }

    private const string NgsiLdProblemsBase = IocTwin.Api.NgsiLd.NgsiLdProblems.Base;

    private static string Observation(string sensorId, DateTimeOffset at, string attributes) => $$"""
        { "id": "urn:ngsi-ld:TrafficFlowObserved:{{sensorId}}", "type": "TrafficFlowObserved",
          "dateObserved": { "type": "Property", "value": { "@type": "DateTime", "@value": "{{at:O}}" } },
          {{attributes}} }
        """;
}

public static class NgsiLdWrites
{
    /// <summary>An NGSI-LD write with the Smart Data Models context in the Link header.</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> NgsiWrite(
        this HttpClient http, string path, string json, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, NgsiLdClient.Api + path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Link", NgsiLdClient.SdmLink);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }
}
