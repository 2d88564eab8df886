using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>One reading must never take the IOC's screens down, nor pin a sensor's live value.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class ImpossibleValueTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    private Task<HttpResponseMessage> SendSpeed(string path, string sensorId, string speed, DateTimeOffset at) => path switch
    {
        "json" => Http.PostJson("/api/v1/readings", $$"""[ { "sensorId": "{{sensorId}}", "timestamp": "{{at:O}}", "values": { "speed": {{speed}} } } ]"""),
        "csv" => Http.PostAsync("/api/v1/import/readings",
            new StringContent($"sensorId,timestamp,speed\n{sensorId},{at:O},{speed}\n", new UTF8Encoding(false), "text/csv")),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    [Theory]
    [InlineData("json", "1.7e308")]
    [InlineData("json", "-1e300")]
    [InlineData("json", "301")]
    [InlineData("csv", "1.7e308")]
    [InlineData("csv", "-0.5")]
    public async Task A_speed_no_road_can_have_is_refused_naming_it_and_the_city_stays_readable(string path, string speed)
    {
        var (segment, counter) = await Http.CountedSegment("lien-chieu");
        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow.AddSeconds(-1), new { speed = 33.0 }));
        var before = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}"), s => s.LastReading?.Values["speed"] == 33.0);

        var response = await SendSpeed(path, counter.Id, speed, DateTimeOffset.UtcNow);

        var report = await response.ReadObject();
        var rejection = Assert.Single(report["rejected"]!.AsArray())!;
        // Each format names the field as its sender wrote it: a JSON path, or a CSV column.
        Assert.Equal(path == "csv" ? "speed" : "values.speed", (string)rejection["field"]!);
        Assert.Contains("300 km/h", (string)rejection["error"]!);
        Assert.Equal(0, (int)report["accepted"]!);
        var after = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(before.ReadingCount, after.ReadingCount);
        Assert.Equal(33.0, after.LastReading!.Values["speed"]);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/api/v1/districts/lien-chieu")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/api/v1/segments/{segment.Spec!.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_reading_dated_ahead_of_the_twin_clock_does_not_keep_the_live_feed_from_replacing_it()
    {
        var (_, counter) = await Http.CountedSegment("cam-le");
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostReadings(Reading(counter.Id, now.AddMinutes(9), new { speed = 5.0 }))).StatusCode);
        await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}"), s => s.LastReading?.Values["speed"] == 5.0);
        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 41.0 }));

        var live = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}"), s => s.LastReading?.Values["speed"] == 41.0,
            TimeSpan.FromSeconds(10), "the live reading replaces the one dated ahead");
        Assert.True(live.LastReading!.Timestamp <= DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_district_KPI_history_holding_an_overflowed_value_still_answers_without_it()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-30);
        var history = new SqliteConnectionStringBuilder { DataSource = Path.Combine(api.DataDirectory, "twin-history.db") }.ToString();
        await using (var connection = new SqliteConnection(history))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            // As an earlier version wrote it when one reading overflowed the district's mean speed.
            insert.CommandText = "INSERT INTO twin_kpi (entity_id, ts, name, value) VALUES ('son-tra', $ts, 'meanSpeedKmh', $inf), ('son-tra', $ts, 'congestedKm', 1.5)";
            insert.Parameters.AddWithValue("$ts", from.AddMinutes(1).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$inf", double.PositiveInfinity);
            await insert.ExecuteNonQueryAsync();
        }

        var response = await Http.GetAsync(
            $"/api/v1/districts/son-tra/history?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(from.AddMinutes(10).ToString("O"))}&step=PT10M");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bucket = Assert.Single((await response.ReadObject())["buckets"]!.AsArray())!;
        Assert.Equal(1.5, (double)bucket["values"]!["congestedKm"]!["max"]!);
        Assert.Null(bucket["values"]!["meanSpeedKmh"]);
    }
}
