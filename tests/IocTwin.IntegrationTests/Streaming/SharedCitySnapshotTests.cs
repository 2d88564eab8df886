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
        // As the screen shows it: shared records may be a few frames old, the frames since (queued ahead of the answer) bring the rest.
        var count = watching.ShownSensor(first, counter.Id).ReadingCount;
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
        var sequences = opening.SequencesAfter(snapshot).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => snapshot.Sequence + 1 + i), sequences);
    }

    [Fact]
    public async Task City_screens_opened_while_readings_pour_in_end_showing_exactly_the_twins_state()
    {
        var counters = new List<SensorView>();
        foreach (var district in new[] { "hai-chau", "son-tra", "thanh-khe" })
        {
            counters.AddRange((await Http.Get<List<SensorView>>($"/api/v1/districts/{district}/sensors")).Where(s => s.Kind == SensorKind.TrafficCounter));
        }
        Assert.True(counters.Count >= 10, "the sample city has traffic counters to feed");
        var before = await Task.WhenAll(counters.Select(c => Http.Get<SensorView>($"/api/v1/sensors/{c.Id}")));
        static double SpeedOf(int round, int counter) => 5 + (round + counter) % 40;
        var rounds = 0;
        // A screen kept open: the city scope and its shared records live on while others open.
        await using var watching = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        await watching.Subscribe("city");

        using var stop = new CancellationTokenSource();
        var feed = Task.Run(async () =>
        {
            for (; !stop.IsCancellationRequested; rounds++)
            {
                var at = DateTimeOffset.UtcNow;
                var response = await Http.PostReadings([.. counters.Select((c, i) => Reading(c.Id, at, new { speed = SpeedOf(rounds, i), flow = 100 + rounds }))]);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                await Task.Delay(40);
            }
        });
        // Screens open one after another while frames follow each other: each is served shared records some frames old,
        // or newer ones made from the frames, with the frames since.
        List<(LiveScreen Screen, ScopeSnapshot Snapshot)> opened = [];
        try
        {
            for (var i = 0; i < 6; i++)
            {
                await Task.Delay(300);
                var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc), i % 2 == 0 ? HubProtocol.Json : HubProtocol.MessagePack);
                opened.Add((screen, await screen.Subscribe("city")));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await feed;
        }

        // Every reading acknowledged is in the twin once the feed stopped: each counter's count and its last speed.
        var expected = counters.Select((c, i) => (c.Id, Count: before[i].ReadingCount + rounds, Speed: SpeedOf(rounds - 1, i))).ToList();
        await Eventually.Until(() => Task.WhenAll(counters.Select(c => Http.Get<SensorView>($"/api/v1/sensors/{c.Id}"))),
            twin => twin.Select(t => (t.Id, t.ReadingCount, t.Values["speed"])).SequenceEqual(expected), TimeSpan.FromSeconds(20),
            "the twin applied every reading posted");
        try
        {
            foreach (var (screen, snapshot) in opened)
            {
                // What each screen shows (its snapshot and the frames after it) ends as the twin's state.
                await Eventually.Until(() => Task.FromResult(expected.All(e => screen.ShownSensor(snapshot, e.Id) is var shown
                        && shown.ReadingCount == e.Count && shown.Values["speed"] == e.Speed)),
                    shownAll => shownAll, TimeSpan.FromSeconds(20), "every reading reaches each screen, none lost, none shown out of order");
                var sequences = screen.SequencesAfter(snapshot).Distinct().Order().ToList();
                Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => snapshot.Sequence + 1 + i), sequences);
                Assert.Empty(screen.Resyncs);
            }
        }
        finally
        {
            foreach (var (screen, _) in opened)
            {
                await screen.DisposeAsync();
            }
        }
    }
}
