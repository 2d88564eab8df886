using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Json;
using IocTwin.Model;

namespace IocTwin.Tests.Api;

/// <summary>Typed calls to the twin's REST API, as a client program would make them.</summary>
public static class TwinApiClient
{
    public static async Task<T> Get<T>(this HttpClient http, string path) =>
        (await http.GetFromJsonAsync<T>(path, TwinJson.Options))!;

    public static Task<HttpResponseMessage> PostJson(this HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PutJson(this HttpClient http, string path, string json) =>
        http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostReadings(this HttpClient http, params object[] items) =>
        http.PostJson("/api/v1/readings", JsonSerializer.Serialize(items));

    public static object Reading(string sensorId, DateTimeOffset time, object values) =>
        new { sensorId, timestamp = time.ToString("O"), values };

    public static async Task<JsonObject> ReadObject(this HttpResponseMessage response) =>
        (JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject)
        ?? throw new InvalidOperationException("Expected a JSON object");

    /// <summary>The field names a ValidationProblemDetails reports.</summary>
    public static async Task<string[]> ProblemFields(this HttpResponseMessage response)
    {
        var body = await response.ReadObject();
        return body["errors"] is JsonObject errors ? [.. errors.Select(e => e.Key)] : [];
    }

    /// <summary>A new air-quality sensor of its own in the district, so no other test's readings touch its alerts.</summary>
    public static async Task<string> NewAirSensor(this HttpClient http, string districtId)
    {
        var id = $"aq-{Guid.NewGuid():N}"[..16];
        var put = await http.PutJson($"/api/v1/sensors/{id}",
            $$"""{ "kind": "air-quality", "sector": "environment", "location": [108.2, 16.03], "districtId": "{{districtId}}" }""");
        put.EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>A segment of the sample with a traffic counter, in the given district.</summary>
    public static async Task<(SegmentView Segment, SensorView Counter)> CountedSegment(this HttpClient http, string districtId)
    {
        var sensors = await http.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors");
        var counter = sensors.First(s => s.Kind == SensorKind.TrafficCounter && s.SegmentId is not null);
        var segment = await http.Get<SegmentView>($"/api/v1/segments/{counter.SegmentId}");
        return (segment, counter);
    }
}
