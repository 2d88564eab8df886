using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class ReadingsApiTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_slow_traffic_reading_makes_its_segment_congested_and_shows_in_the_district_KPI()
    {
        var (segment, counter) = await Http.CountedSegment("thanh-khe");
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.2, 1);

        var response = await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = slow, flow = 1500 }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.ReadObject();
        Assert.Equal(1, (int)body["accepted"]!);
        Assert.Empty(body["rejected"]!.AsArray());

        var seen = await Eventually.Until(() => Http.Get<SegmentView>($"/api/v1/segments/{segment.Spec!.Id}"), s => s.Traffic.Los == LevelOfService.F);
        Assert.Equal(slow, seen.Traffic.SpeedKmh);
        var district = await Eventually.Until(
            () => Http.Get<DistrictView>("/api/v1/districts/thanh-khe"), d => d.Kpis.CongestedKm.Value >= segment.Spec!.LengthM / 1000);
        Assert.NotNull(district.Kpis.CongestedKm.AsOf);
        var sensor = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(slow, sensor.LastReading!.Values["speed"]);
        Assert.Equal(SensorHealth.Online, sensor.Health);
    }

    [Fact]
    public async Task Bad_items_are_rejected_one_by_one_naming_the_field_and_good_ones_are_kept()
    {
        var (_, counter) = await Http.CountedSegment("cam-le");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        var now = DateTimeOffset.UtcNow;
        var json = $$"""
        [
          { "sensorId": "{{counter.Id}}", "timestamp": "{{now:O}}", "values": { "speed": 31, "flow": 700 } },
          { "sensorId": "no-such-sensor", "timestamp": "{{now:O}}", "values": { "speed": 31 } },
          { "sensorId": "{{counter.Id}}", "timestamp": "yesterday", "values": { "speed": 31 } },
          { "sensorId": "{{counter.Id}}", "timestamp": "{{now:O}}", "values": { "speed": "NaN" } },
          { "sensorId": "{{counter.Id}}", "timestamp": "{{now:O}}", "values": { } },
          { "timestamp": "{{now:O}}", "values": { "speed": 31 } },
          { "sensorId": "{{counter.Id}}", "timestamp": "{{now.AddHours(2):O}}", "values": { "speed": 31 } },
          { "sensorId": "{{counter.Id}}", "timestamp": "2026-11-25T08:00:00", "values": { "speed": 31 } },
          42
        ]
        """;

        var response = await Http.PostJson("/api/v1/readings", json);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.ReadObject();
        Assert.Equal(1, (int)body["accepted"]!);
        var rejected = body["rejected"]!.AsArray().Select(r => ((int)r!["index"]!, (string)r["field"]!)).ToList();
        Assert.Equal(
            [(1, "sensorId"), (2, "timestamp"), (3, "values.speed"), (4, "values"), (5, "sensorId"), (6, "timestamp"), (7, "timestamp"), (8, "item")],
            rejected);
        var after = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(before + 1, after.ReadingCount);
        Assert.Equal(31, after.LastReading!.Values["speed"]);
    }

    [Theory]
    [InlineData("{ not json", "body")]
    [InlineData("{\"sensorId\":\"x\"}", "body")]
    [InlineData("", "body")]
    public async Task A_malformed_body_is_a_400_naming_the_body(string json, string field)
    {
        var response = await Http.PostJson("/api/v1/readings", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await response.ProblemFields());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_rejected()
    {
        var response = await Http.PostAsync("/api/v1/readings", new StringContent("speed=3", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Over_ten_thousand_items_is_a_413_and_changes_nothing()
    {
        var (_, counter) = await Http.CountedSegment("lien-chieu");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, 10_001).Select(i => Reading(counter.Id, now.AddMilliseconds(-i), new { speed = 40 })).ToArray();

        var response = await Http.PostReadings(items);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount);
    }

    [Fact]
    public async Task Ten_thousand_items_are_all_accepted()
    {
        var (_, counter) = await Http.CountedSegment("ngu-hanh-son");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, 10_000).Select(i => Reading(counter.Id, now.AddMilliseconds(-i), new { speed = 40 - i % 7 })).ToArray();

        var response = await Http.PostReadings(items);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(10_000, (int)(await response.ReadObject())["accepted"]!);
        var sensor = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(before + 10_000, sensor.ReadingCount);
        Assert.Equal(40, sensor.LastReading!.Values["speed"]);
    }
}
