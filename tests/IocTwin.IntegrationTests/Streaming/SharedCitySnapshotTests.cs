using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// City screens share one taking of the city's records, serialised once per protocol: a screen opening later gets those
/// records and every frame sent since, so what it ends up showing misses nothing.
/// </summary>
[Collection(TwinApiCollection.Name)]
public sealed class SharedCitySnapshotTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task A_city_screen_opened_after_readings_reached_another_shows_them_with_no_gap_in_its_frames(HubProtocol protocol)
    {
        await using var watching = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var first = await watching.Subscribe("city");
        var (segment, counter) = await Http.SoleCounterSegment("son-tra");
        var count = first.Sensors.Single(s => s.Id == counter.Id).ReadingCount;
        var speeds = new[] { 0.3, 0.5, 0.7 }.Select(share => Math.Round(segment.Spec!.FreeFlowSpeedKmh * share, 1)).ToArray();
        foreach (var (speed, i) in speeds.Select((s, i) => (s, i)))
        {
            // One reading a frame: the screen opening below is sent several frames that followed the shared records.
            Assert.Equal(HttpStatusCode.Accepted, (await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed, flow = 1000 + i }))).StatusCode);
            await watching.WaitForDelta("city", d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount > count + i), "the reading reaches the city screen");
        }

        await using var opening = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc), protocol);
        var snapshot = await opening.Subscribe("city");

        // The whole city, every record whole, whichever protocol carried it.
        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        Assert.Equal(districts.Sum(d => d.SensorCount), snapshot.Sensors.Count);
        Assert.Equal(districts.Sum(d => d.SegmentCount), snapshot.Segments.Count);
        Assert.All(snapshot.Segments, s => Assert.NotNull(s.Spec));
        Assert.Equal(counter.Name, snapshot.Sensors.Single(s => s.Id == counter.Id).Name);
        // What the records miss follows them in order, with no gap: the screen ends with the last reading.
        var shown = await Eventually.Until(() => Task.FromResult(opening.ShownSensor(snapshot, counter.Id)),
            s => s.ReadingCount >= count + speeds.Length, because: "the screen's snapshot and the frames after it hold every reading");
        Assert.Equal(speeds[^1], shown.Values!["speed"]);
        var sequences = opening.DeltasOf("city").Select(d => d.Sequence).Where(s => s > snapshot.Sequence).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => snapshot.Sequence + 1 + i), sequences);
    }
}
