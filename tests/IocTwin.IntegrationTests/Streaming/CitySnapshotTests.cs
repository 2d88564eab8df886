using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>City and sector snapshots come from what the API process holds: they must still be current and whole.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class CitySnapshotTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_city_screen_opened_after_a_reading_reached_the_screens_sees_it_in_its_snapshot_or_the_deltas_queued_ahead_of_it()
    {
        await using var watching = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var before = (await watching.Subscribe("city")).Sensors;
        var (segment, counter) = await Http.SoleCounterSegment("lien-chieu");
        var count = before.Single(s => s.Id == counter.Id).ReadingCount;
        var speed = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.3, 1);

        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed, flow = 1234 }))).StatusCode);
        await watching.WaitForDelta("city", d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount > count), "the reading reaches the city screen");

        await using var opening = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await opening.Subscribe("city");
        // The snapshot may be the records the first screen's subscription took: the deltas since come ahead of it.
        var sensor = await Eventually.Until(() => Task.FromResult(opening.ShownSensor(snapshot, counter.Id)), s => s.ReadingCount > count,
            because: "the snapshot, or a delta above its sequence, holds the reading");
        Assert.Equal(speed, sensor.Values!["speed"]);
        Assert.Equal(1234, sensor.Values["flow"]);
        // Its name and place stay; a last reading, when the snapshot carries one, is the one behind its values.
        var record = snapshot.Sensors.Single(s => s.Id == counter.Id);
        Assert.Equal(counter.Name, record.Name);
        Assert.Equal(counter.Location, record.Location);
        Assert.True(record.LastReading is null || record.ReadingCount < sensor.ReadingCount || record.LastReading.Values["speed"] == speed);
        var road = snapshot.Segments.Single(s => s.Id == segment.Spec.Id);
        Assert.Equal(segment.Spec.Name, road.Spec!.Name);
        Assert.Equal(segment.Spec.Geometry, road.Spec.Geometry);
        // The whole city, every record whole.
        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        Assert.Equal(districts.Sum(d => d.SensorCount), snapshot.Sensors.Count);
        Assert.Equal(districts.Sum(d => d.SegmentCount), snapshot.Segments.Count);
        Assert.All(snapshot.Segments, s => Assert.NotNull(s.Spec));
        Assert.All(snapshot.Districts, d => Assert.NotNull(d.Boundary));
    }

    [Fact]
    public async Task A_sensor_registered_while_the_city_is_on_screen_is_in_the_next_city_and_sector_snapshots()
    {
        await using var watching = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        await watching.Subscribe("city");
        await watching.Subscribe("sector:environment");
        var id = $"noise-{Guid.NewGuid():N}"[..20];

        var put = await Http.PutJson($"/api/v1/sensors/{id}",
            """{ "name": "Late noise meter", "kind": "noise", "sector": "environment", "location": [108.15, 16.07], "districtId": "lien-chieu" }""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        await using var opening = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var city = (await opening.Subscribe("city")).Sensors.Single(s => s.Id == id);
        Assert.Equal("Late noise meter", city.Name);
        Assert.Equal("lien-chieu", city.DistrictId);
        Assert.Contains((await opening.Subscribe("sector:environment")).Sensors, s => s.Id == id && s.Name == "Late noise meter");
        Assert.DoesNotContain((await opening.Subscribe("sector:traffic")).Sensors, s => s.Id == id);
    }
}
