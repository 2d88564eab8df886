using System.Net;
using System.Text.Json;
using IocTwin.Model;
using IocTwin.Tests.Areas;
using IocTwin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace IocTwin.Tests.Api;

/// <summary>The twin, importing four new segments and sensors per transaction.</summary>
public sealed class SmallImportBatchTwin : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:ImportBatchSize"] = "4",
    };

    public string StateDatabase => System.IO.Path.Combine(DataDirectory, "twin.db");
}

/// <summary>
/// An import stored a batch at a time: a batch the store refuses is rolled back as a whole and named in the answer,
/// the other batches are stored, and sending the same document again once the store takes it completes the city.
/// </summary>
public sealed class ImportBatchTests(SmallImportBatchTwin api) : IClassFixture<SmallImportBatchTwin>
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_batch_the_store_refuses_is_rolled_back_and_reported_and_the_others_are_stored()
    {
        var tag = AreaCities.Tag();
        var area = $"imp-{tag}";
        // Six segments with a counter each: batches of two segments and their counters, the poisoned one in the second.
        string Segment(int i) => $"imp-{tag}-s{i}";
        var document = AreaWithCountedSegments(area, Segment, 6, 109.0);
        var poisoned = $"{Segment(4)}-counter";
        await ExecuteAsync($"""
            CREATE TRIGGER refuse_{tag} BEFORE INSERT ON OrleansStorage WHEN NEW.GrainIdExtensionString = '{poisoned}'
            BEGIN SELECT RAISE(ABORT, 'the store refuses {poisoned}'); END;
            """);

        var response = await Http.PostJson("/api/v1/import", document);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await response.ReadObject();
        Assert.Equal(3, (int)problem["batches"]!);
        var failed = Assert.Single(problem["failedBatches"]!.AsArray());
        Assert.Equal(2, (int)failed!["number"]!);
        Assert.Equal(Segment(3), (string)failed["firstId"]!);
        Assert.Contains($"the store refuses {poisoned}", (string)failed["reason"]!);
        // The whole batch went back, the segment and counter before the refused row too; the others are stored.
        foreach (var i in new[] { 3, 4 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/segments/{Segment(i)}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/{Segment(i)}-counter")).StatusCode);
        }
        foreach (var i in new[] { 1, 2, 5, 6 })
        {
            Assert.Equal([$"{Segment(i)}-counter"], (await Http.Get<SegmentView>($"/api/v1/segments/{Segment(i)}")).SensorIds!);
            Assert.Equal(Segment(i), (await Http.Get<SensorView>($"/api/v1/sensors/{Segment(i)}-counter")).SegmentId);
        }
        Assert.Equal<int?>(4, (await Http.Get<DistrictView>($"/api/v1/districts/{area}")).SegmentCount);

        // Once the store takes it, the same document completes the city: what was stored is registered again in place.
        await ExecuteAsync($"DROP TRIGGER refuse_{tag};");
        var again = await Http.PostJson("/api/v1/import", document);

        Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        var district = await Http.Get<DistrictView>($"/api/v1/districts/{area}");
        Assert.Equal<(int?, int?)>((6, 6), (district.SegmentCount, district.SensorCount));
        Assert.Equal([$"{Segment(4)}-counter"], (await Http.Get<SegmentView>($"/api/v1/segments/{Segment(4)}")).SensorIds!);
    }

    [Fact]
    public async Task A_batch_stored_but_not_attached_to_its_district_is_reported_stored_and_sending_again_attaches_it()
    {
        var tag = AreaCities.Tag();
        var area = $"unattached-{tag}";
        string Segment(int i) => $"unattached-{tag}-s{i}";
        var document = AreaWithCountedSegments(area, Segment, 2, 109.4);
        // The rows commit, but the district cannot write its new members (its own row is created before, by an insert).
        await ExecuteAsync($"""
            CREATE TRIGGER refuse_{tag} BEFORE UPDATE ON OrleansStorage WHEN OLD.GrainIdExtensionString = '{area}'
            BEGIN SELECT RAISE(ABORT, 'the store refuses {area}'); END;
            """);

        var response = await Http.PostJson("/api/v1/import", document);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await response.ReadObject();
        Assert.Equal("Import batches failed", (string)problem["title"]!);
        var failed = Assert.Single(problem["failedBatches"]!.AsArray());
        Assert.True((bool)failed!["stored"]!);
        Assert.Contains($"the store refuses {area}", (string)failed["reason"]!);
        Assert.DoesNotContain("rolled back", (string)problem["detail"]!);

        await ExecuteAsync($"DROP TRIGGER refuse_{tag};");
        var again = await Http.PostJson("/api/v1/import", document);

        Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        var district = await Http.Get<DistrictView>($"/api/v1/districts/{area}");
        Assert.Equal<(int?, int?)>((2, 2), (district.SegmentCount, district.SensorCount));
        Assert.Equal(Segment(2), (await Http.Get<SensorView>($"/api/v1/sensors/{Segment(2)}-counter")).SegmentId);
    }

    [Fact]
    public async Task A_sensor_the_feed_named_before_it_was_imported_takes_readings_once_it_is()
    {
        var tag = AreaCities.Tag();
        var area = $"early-{tag}";
        var counter = $"early-{tag}-road-counter";
        // The feed runs ahead of the import: the reading is refused, and the sensor's grain is asked about it.
        var early = await Http.PostReadings(TwinApiClient.Reading(counter, DateTimeOffset.UtcNow, new { speed = 20, flow = 700 }));
        Assert.DoesNotContain("\"accepted\":1", await early.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/sensors/{counter}")).StatusCode);

        await AreaCities.ImportAsync(Http, AreaCities.Area(area, "district", null, 109.2, 15.0, 109.3, 15.1),
            AreaCities.CountedSegment($"early-{tag}-road", area, 109.25, 15.05));

        // The grain that answered "not registered" reads the row the import wrote, and the next reading is taken.
        await Eventually.Until(
            async () => (await (await Http.PostReadings(TwinApiClient.Reading(counter, DateTimeOffset.UtcNow, new { speed = 20, flow = 700 })))
                .ReadObject())["accepted"]?.GetValue<int>(),
            accepted => accepted == 1);
        var sensor = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{counter}"), s => s.ReadingCount >= 1);
        Assert.Equal($"early-{tag}-road", sensor.SegmentId);
    }

    /// <summary>An import document: one district west-east from <paramref name="west"/>, with segments (a counter on each) inside it.</summary>
    private static string AreaWithCountedSegments(string area, Func<int, string> segment, int segments, double west)
    {
        var features = new List<object> { AreaCities.Area(area, "district", null, west, 15.0, west + 0.1, 15.1) };
        for (var i = 1; i <= segments; i++)
        {
            features.AddRange(AreaCities.CountedSegment(segment(i), area, west + 0.005 + 0.012 * i, 15.05));
        }
        return JsonSerializer.Serialize(new { type = "FeatureCollection", features });
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={api.StateDatabase}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
