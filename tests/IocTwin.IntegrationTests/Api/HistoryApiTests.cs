using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class HistoryApiTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    private static DateTimeOffset MinuteAgo(int minutes)
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-minutes);
    }

    private async Task<SensorView> Sensor(string districtId, SensorKind kind) =>
        (await Http.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors")).First(s => s.Kind == kind);

    [Fact]
    public async Task History_is_downsampled_to_avg_min_max_per_step()
    {
        var sensor = await Sensor("lien-chieu", SensorKind.Noise);
        var start = MinuteAgo(40);
        var posted = await Http.PostReadings(
            Reading(sensor.Id, start.AddSeconds(5), new { db = 50 }),
            Reading(sensor.Id, start.AddSeconds(25), new { db = 60 }),
            Reading(sensor.Id, start.AddSeconds(45), new { db = 70 }),
            Reading(sensor.Id, start.AddSeconds(75), new { db = 80 }));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var history = await (await Http.GetAsync(
            $"/api/v1/sensors/{sensor.Id}/history?from={Uri.EscapeDataString(start.ToString("O"))}&to={Uri.EscapeDataString(start.AddMinutes(3).ToString("O"))}&step=PT1M"))
            .ReadObject();

        var buckets = history["buckets"]!.AsArray();
        Assert.Equal(2, buckets.Count);
        var first = buckets[0]!["values"]!["db"]!;
        Assert.Equal(start, DateTimeOffset.Parse((string)buckets[0]!["time"]!));
        Assert.Equal(60, (double)first["avg"]!, 6);
        Assert.Equal(50, (double)first["min"]!);
        Assert.Equal(70, (double)first["max"]!);
        Assert.Equal(3, (int)first["count"]!);
        Assert.Equal(80, (double)buckets[1]!["values"]!["db"]!["avg"]!);
        Assert.Equal(60, (double)history["stepSeconds"]!);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("step=fortnight", "step")]
    [InlineData("step=0.1", "step")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-01-20T00:00:00Z&step=1", "step")]
    [InlineData("step=0", "step")]
    [InlineData("step=1e12", "step")]
    [InlineData("step=-1e308", "step")]
    [InlineData("step=1e300", "step")]
    [InlineData("step=NaN", "step")]
    [InlineData("step=P99999999D", "step")]
    [InlineData("step=P10675199DT2H48M5.4775808S", "step")]
    [InlineData("step=P40D", "step")]
    [InlineData("to=9999-12-31T00:00:00Z", "to")]
    [InlineData("to=0001-01-01T00:00:00Z", "to")]
    [InlineData("from=0001-01-01T00:00:00Z", "from")]
    [InlineData("from=9999-12-31T23:59:59Z", "from")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=99999999999", "limit")]
    [InlineData("limit=1e3", "limit")]
    public async Task Bad_history_queries_are_400s_naming_the_parameter(string query, string field)
    {
        var sensor = await Sensor("lien-chieu", SensorKind.Noise);

        var response = await Http.GetAsync($"/api/v1/sensors/{sensor.Id}/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    [Fact]
    public async Task A_district_OC_cannot_read_another_districts_history()
    {
        var sensor = await Sensor("lien-chieu", SensorKind.Noise);
        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["hai-chau"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync($"/api/v1/sensors/{sensor.Id}/history")).StatusCode);
    }

    [Fact]
    public async Task City_at_a_past_time_shows_the_readings_that_were_live_then()
    {
        var air = await Sensor("hoa-vang", SensorKind.AirQuality);
        var earlier = MinuteAgo(30);
        var later = MinuteAgo(20);
        await Http.PostReadings(Reading(air.Id, earlier, new { aqi = 333 }), Reading(air.Id, later, new { aqi = 44 }));

        var then = await (await Http.GetAsync($"/api/v1/city/at?time={Uri.EscapeDataString(earlier.AddMinutes(5).ToString("O"))}")).ReadObject();
        var after = await (await Http.GetAsync($"/api/v1/city/at?time={Uri.EscapeDataString(later.AddMinutes(5).ToString("O"))}")).ReadObject();

        Assert.Equal(333, AqiOf(then, air.Id));
        Assert.Equal(44, AqiOf(after, air.Id));
        Assert.Equal(333, DistrictAqi(then, "hoa-vang"));
        Assert.Equal(44, DistrictAqi(after, "hoa-vang"));
        // Before any reading the sensor had nothing to say.
        var before = await (await Http.GetAsync($"/api/v1/city/at?time={Uri.EscapeDataString(earlier.AddMinutes(-1).ToString("O"))}")).ReadObject();
        Assert.Null(Sensor(before, air.Id)["lastReading"]);
    }

    [Fact]
    public async Task Segment_and_district_KPIs_are_kept_as_time_series()
    {
        var (segment, counter) = await Http.CountedSegment("hoa-vang");
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.15, 1);
        var window = $"from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}&step=PT10M";

        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = slow, flow = 1200 }));

        var road = await Eventually.Until(async () => await (await Http.GetAsync($"/api/v1/segments/{segment.Spec!.Id}/history?{window}")).ReadObject(),
            h => h["buckets"]!.AsArray().Any(b => b!["values"]!["los"] is { } los && (double)los["max"]! == 6), TimeSpan.FromSeconds(20),
            "the segment's LOS F is in its history");
        // The window may span two steps, one of them holding only what the segment reported before the reading.
        Assert.Contains(road["buckets"]!.AsArray(), b => b!["values"]!["speedKmh"] is { } speed && (double)speed["min"]! <= slow);
        var district = await Eventually.Until(async () => await (await Http.GetAsync($"/api/v1/districts/hoa-vang/history?{window}")).ReadObject(),
            h => h["buckets"]!.AsArray().Any(b => b!["values"]!["congestedKm"] is not null), TimeSpan.FromSeconds(20));
        Assert.Contains(district["buckets"]!.AsArray(), b => b!["values"]!["congestedKm"] is { } congested && (double)congested["max"]! >= segment.Spec!.LengthM / 1000 - 1e-9);

        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["hai-chau"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/districts/hoa-vang/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync($"/api/v1/segments/{segment.Spec!.Id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/segments/no-such-road/history")).StatusCode);
    }

    [Theory]
    [InlineData("", "time")]
    [InlineData("?time=noon", "time")]
    [InlineData("?time=2999-01-01T00:00:00Z", "time")]
    [InlineData("?time=0001-01-01T00:00:00Z", "time")]
    [InlineData("?time=0001-01-01T00:00:00%2B14:00", "time")]
    public async Task City_at_needs_a_valid_past_time(string query, string field)
    {
        var response = await Http.GetAsync($"/api/v1/city/at{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    private static JsonNode Sensor(JsonObject city, string id) => city["sensors"]!.AsArray().Single(s => (string)s!["id"]! == id)!;

    private static double AqiOf(JsonObject city, string id) => (double)Sensor(city, id)["lastReading"]!["values"]!["aqi"]!;

    private static double DistrictAqi(JsonObject city, string id) =>
        (double)city["districts"]!.AsArray().Single(d => (string)d!["id"]! == id)!["kpis"]!["worstAqi"]!["value"]!;
}
