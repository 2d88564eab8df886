using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// A scope with more sensors than a frame carries (<see cref="SnapshotPartsTwinApiFactory.SensorsPerPart"/>) is answered
/// with its first sensors and sent the rest in "snapshot-part" frames ahead of its deltas: together they hold the whole
/// scope, and nothing outside it.
/// </summary>
[Collection(SnapshotPartsCollection.Name)]
public sealed class SnapshotPartsTests(SnapshotPartsTwinApiFactory api)
{
    private const int PerPart = SnapshotPartsTwinApiFactory.SensorsPerPart;
    private const int PerPartSegments = SnapshotPartsTwinApiFactory.SegmentsPerPart;

    private HttpClient Http => api.Http;

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task A_city_bigger_than_a_frame_arrives_whole_in_parts_each_sensor_once(HubProtocol protocol)
    {
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc), protocol);

        var snapshot = await screen.Subscribe("city");
        var parts = await screen.WaitForParts(snapshot);

        // The answer carries every area and the city, and the first runs of segments and sensors.
        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        Assert.Equal(districts.Select(d => d.Id).Order(), snapshot.Districts.Select(d => d.Id).Order());
        Assert.NotNull(snapshot.City);
        Assert.Equal(PerPartSegments, snapshot.Segments.Count);
        Assert.Equal(PerPart, snapshot.Sensors.Count);
        Assert.Equal(Enumerable.Range(1, snapshot.Parts), parts.Select(p => p.Part));
        Assert.All(parts, p =>
        {
            Assert.Equal(snapshot.Parts, p.Parts);
            Assert.InRange(p.Segments.Count, 0, PerPartSegments);
            Assert.InRange(p.Sensors.Count, 0, PerPart);
            Assert.True(p.Segments.Count + p.Sensors.Count > 0, $"part {p.Part} carries records");
        });
        Assert.Contains(parts, p => p.Segments.Count == 0);
        var all = Whole(snapshot, parts);
        var expected = await SampleReadings.AllSensors(Http);
        Assert.Equal(expected.Select(s => s.Id).Order(), all.Select(s => s.Id).Order());
        // Whole records, as in a snapshot sent in one piece.
        Assert.All(all, s => Assert.Equal(expected.Single(e => e.Id == s.Id).Name, s.Name));
        var segments = WholeSegments(snapshot, parts);
        Assert.Equal(districts.Sum(d => d.SegmentCount), segments.Count);
        Assert.All(segments, s => Assert.NotNull(s.Spec));
    }

    [Fact]
    public async Task Deltas_come_after_the_parts_and_the_screen_ends_showing_every_reading()
    {
        var sensors = await SampleReadings.AllSensors(Http);
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        using var feedStop = new CancellationTokenSource();
        var feed = Task.Run(async () =>
        {
            for (var round = 0; !feedStop.IsCancellationRequested; round++)
            {
                var response = await Http.PostReadings(SampleReadings.Round(sensors.Where((_, i) => i % 5 == round % 5), round));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                await Task.Delay(50);
            }
        });
        ScopeSnapshot snapshot;
        try
        {
            // Readings pour in while the city is subscribed: deltas of the scope are under way as its parts are sent.
            await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{sensors[0].Id}"), s => s.ReadingCount > sensors[0].ReadingCount,
                because: "the feed is under way");
            snapshot = await screen.Subscribe("city");
            await screen.WaitForParts(snapshot);
            await screen.WaitForDelta("city", d => d.Sequence > snapshot.Sequence + 2, "deltas follow the parts");
        }
        finally
        {
            await feedStop.CancelAsync();
            await feed;
        }

        // On the connection, every part of the snapshot comes before any delta above its sequence.
        var order = screen.Received.Where(f => f is SnapshotPartFrame { Scope: "city" } || f is DeltaFrame { Scope: "city" }).ToList();
        var lastPart = order.FindLastIndex(f => f is SnapshotPartFrame p && p.Sequence == snapshot.Sequence);
        var firstLater = order.FindIndex(f => f is DeltaFrame d && d.Sequence > snapshot.Sequence);
        Assert.True(lastPart < firstLater, $"the last part (at {lastPart}) arrives before the first later delta (at {firstLater})");
        // Snapshot and parts, then the deltas, newest record of each sensor kept: the twin's state, not one reading short.
        var settled = await Eventually.Until(
            async () => (Twin: await SampleReadings.AllSensors(Http), Shown: Shown(screen, snapshot)),
            r => r.Twin.All(t => r.Shown.GetValueOrDefault(t.Id, -1) == t.ReadingCount),
            TimeSpan.FromSeconds(15), "the screen shows exactly the readings the twin holds");
        Assert.Equal(settled.Twin.Count, settled.Shown.Count);
    }

    [Fact]
    public async Task An_OCs_scope_in_parts_holds_its_own_sensors_and_nothing_outside()
    {
        await using var district = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["hai-chau"]));
        await using var sector = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.SectorOc, sectors: ["traffic"]));

        var districtSnapshot = await district.Subscribe("district:hai-chau");
        var sectorSnapshot = await sector.Subscribe("sector:traffic");
        var districtSensors = Whole(districtSnapshot, await district.WaitForParts(districtSnapshot));
        var sectorSensors = Whole(sectorSnapshot, await sector.WaitForParts(sectorSnapshot));

        Assert.True(districtSnapshot.Parts > 0, "hai-chau holds more sensors than a frame");
        Assert.True(sectorSnapshot.Parts > 0, "the traffic sector holds more sensors than a frame");
        var haiChau = await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        Assert.Equal(haiChau.Select(s => s.Id).Order(), districtSensors.Select(s => s.Id).Order());
        Assert.All(districtSensors, s => Assert.Equal("hai-chau", s.DistrictId));
        var haiChauSegments = await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments");
        Assert.Equal(haiChauSegments.Select(s => s.Id).Order(),
            WholeSegments(districtSnapshot, district.PartsOf(districtSnapshot.Scope).Where(p => p.Sequence == districtSnapshot.Sequence).ToList()).Select(s => s.Id).Order());
        var traffic = (await SampleReadings.AllSensors(Http)).Where(s => s.Sector == Sector.Traffic);
        Assert.Equal(traffic.Select(s => s.Id).Order(), sectorSensors.Select(s => s.Id).Order());
        Assert.All(sectorSensors, s => Assert.Equal(Sector.Traffic, s.Sector));
    }

    [Fact]
    public async Task Subscribing_again_sends_a_fresh_whole_set_of_parts_with_the_readings_since()
    {
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var first = await screen.Subscribe("city");
        await screen.WaitForParts(first);
        await screen.Connection.InvokeAsync("Unsubscribe", "city");
        var (_, counter) = await Http.SoleCounterSegment("cam-le");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 33, flow = 700 }))).StatusCode);
        await Eventually.Until(async () => (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount, n => n > before,
            because: "the reading is in the twin");

        var from = screen.Received.Count;
        var again = await screen.Subscribe("city");
        var parts = await screen.WaitForParts(again, from);

        Assert.Equal(Enumerable.Range(1, again.Parts), parts.Select(p => p.Part));
        var all = Whole(again, parts);
        Assert.Equal((await SampleReadings.AllSensors(Http)).Select(s => s.Id).Order(), all.Select(s => s.Id).Order());
        var shown = await Eventually.Until(() => Task.FromResult(Shown(screen, again, from)), s => s[counter.Id] > before,
            TimeSpan.FromSeconds(10), "the new snapshot, its parts and the deltas after it hold the reading sent while unsubscribed");
        Assert.Equal(before + 1, shown[counter.Id]);
    }

    [Theory]
    [InlineData("district:thanh-khe")]
    [InlineData("entity:sen-tc-001")]
    public async Task A_scope_within_a_frame_is_answered_whole_with_no_parts(string scope)
    {
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));

        var snapshot = await screen.Subscribe(scope);

        Assert.Equal(0, snapshot.Parts);
        if (scope.StartsWith("district:", StringComparison.Ordinal))
        {
            var sensors = await Http.Get<List<SensorView>>("/api/v1/districts/thanh-khe/sensors");
            Assert.InRange(sensors.Count, 1, PerPart);
            Assert.Equal(sensors.Select(s => s.Id).Order(), snapshot.Sensors.Select(s => s.Id).Order());
        }
        var sensor = scope.StartsWith("entity:", StringComparison.Ordinal) ? Assert.Single(snapshot.Sensors) : snapshot.Sensors[0];
        var count = sensor.ReadingCount;
        var values = SampleReadings.ValuesFor(sensor.Kind, 3);
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostReadings(Reading(sensor.Id, DateTimeOffset.UtcNow, values))).StatusCode);
        // Parts would have come ahead of this delta: none did.
        await screen.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == sensor.Id && s.ReadingCount > count), "the reading reaches the screen");
        Assert.Empty(screen.PartsOf(scope));
    }

    /// <summary>The sensors of a snapshot and its parts, each once.</summary>
    private static List<SensorView> Whole(ScopeSnapshot snapshot, List<SnapshotPartFrame> parts)
    {
        var all = snapshot.Sensors.Concat(parts.SelectMany(p => p.Sensors)).ToList();
        Assert.Equal(all.Count, all.Select(s => s.Id).Distinct().Count());
        return all;
    }

    /// <summary>The segments of a snapshot and its parts, each once.</summary>
    private static List<SegmentView> WholeSegments(ScopeSnapshot snapshot, List<SnapshotPartFrame> parts)
    {
        var all = snapshot.Segments.Concat(parts.SelectMany(p => p.Segments)).ToList();
        Assert.Equal(all.Count, all.Select(s => s.Id).Distinct().Count());
        return all;
    }

    /// <summary>
    /// Reading counts as the screen shows them: the snapshot and its parts, then every later delta received from
    /// <paramref name="from"/> on, the newer record of a sensor kept.
    /// </summary>
    private static Dictionary<string, long> Shown(LiveScreen screen, ScopeSnapshot snapshot, int from = 0)
    {
        var received = screen.Received.Skip(from).ToList();
        var parts = received.OfType<SnapshotPartFrame>().Where(p => p.Scope == snapshot.Scope && p.Sequence == snapshot.Sequence);
        var shown = snapshot.Sensors.Concat(parts.SelectMany(p => p.Sensors)).ToDictionary(s => s.Id, s => s.ReadingCount);
        foreach (var delta in received.OfType<DeltaFrame>().Where(d => d.Scope == snapshot.Scope && d.Sequence > snapshot.Sequence).OrderBy(d => d.Sequence))
        {
            foreach (var sensor in delta.Sensors)
            {
                shown[sensor.Id] = Math.Max(shown.GetValueOrDefault(sensor.Id), sensor.ReadingCount);
            }
        }
        return shown;
    }
}
