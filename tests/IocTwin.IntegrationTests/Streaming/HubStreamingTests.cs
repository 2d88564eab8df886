using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

[Collection(TwinApiCollection.Name)]
public sealed class HubStreamingTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_district_screen_gets_its_district_then_live_deltas_with_consecutive_sequences()
    {
        const string scope = "district:hai-chau";
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));

        var snapshot = await screen.Subscribe(scope);

        Assert.Equal(scope, snapshot.Scope);
        Assert.Equal("hai-chau", Assert.Single(snapshot.Districts).Id);
        // The scope's total is its one district's.
        Assert.Equal(snapshot.Districts[0].Kpis.SensorsOnline, snapshot.City!.Kpis.SensorsOnline);
        var segments = await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments");
        var sensors = await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        Assert.Equal(segments.Select(s => s.Spec!.Id).Order(), snapshot.Segments.Select(s => s.Spec!.Id).Order());
        Assert.Equal(sensors.Select(s => s.Id).Order(), snapshot.Sensors.Select(s => s.Id).Order());
        Assert.All(snapshot.Segments, s => Assert.Equal("hai-chau", s.Spec!.DistrictId));
        Assert.All(snapshot.Sensors, s => Assert.Equal("hai-chau", s.DistrictId));

        var (segment, counter) = await Http.SoleCounterSegment("hai-chau");
        var before = snapshot.Sensors.Single(s => s.Id == counter.Id).ReadingCount;
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.2, 1);
        var response = await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = slow, flow = 1500 }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var withSensor = await screen.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount > before), "the reading reaches the screen");
        var live = withSensor.Sensors.Single(s => s.Id == counter.Id);
        Assert.Equal(before + 1, live.ReadingCount);
        Assert.Equal(slow, live.Values["speed"]);
        Assert.Equal(1500, live.Values["flow"]);
        Assert.Equal(SensorHealth.Online, live.Health);
        var withSegment = await screen.WaitForDelta(scope,
            d => d.Segments.Any(s => s.Id == segment.Spec!.Id && s.Traffic.Los == LevelOfService.F), "the segment turns LOS F on the screen");
        Assert.Equal(slow, withSegment.Segments.Single(s => s.Id == segment.Spec!.Id).Traffic.SpeedKmh);
        // A KPI frame of an earlier reading may come first: wait for the one that counts the congested segment.
        await screen.WaitForDelta(scope,
            d => d.Districts.Any(x => x.Id == "hai-chau" && x.Kpis.CongestedKm.Value >= segment.Spec!.LengthM / 1000), "the district KPIs follow");

        var deltas = screen.DeltasOf(scope);
        // Consecutive numbers above the snapshot's (a frame merging those held behind it stands for several).
        Assert.All(deltas, d => Assert.True(d.Sequence > snapshot.Sequence, "no frame from before the snapshot"));
        var covered = LiveScreen.SequencesAbove(snapshot.Sequence, deltas);
        Assert.Equal(Enumerable.Range(1, covered.Count).Select(i => snapshot.Sequence + i), covered);
        Assert.All(deltas, d =>
        {
            Assert.True(d.City is null || d.Districts.Count == 1, "a total comes with the districts it counts");
            Assert.All(d.Districts, x => Assert.Equal("hai-chau", x.Id));
            Assert.All(d.Segments, s => Assert.Equal("hai-chau", s.DistrictId));
            Assert.All(d.Sensors, s => Assert.Equal("hai-chau", s.DistrictId));
        });
    }

    [Fact]
    public async Task Json_and_MessagePack_screens_receive_the_same_snapshots_and_deltas()
    {
        const string district = "district:son-tra";
        var token = api.Token(TwinRoles.Viewer);
        await using var json = await LiveScreen.ConnectAsync(api, token, HubProtocol.Json);
        await using var packed = await LiveScreen.ConnectAsync(api, token, HubProtocol.MessagePack);
        foreach (var scope in new[] { "city", district })
        {
            var (fromJson, fromPacked) = await SnapshotsInARow(json, packed, scope);
            // KPIs carry the time they were computed; everything else of two snapshots taken in a row is the same.
            Assert.Equal(Canonical(fromJson.Segments), Canonical(fromPacked.Segments));
            Assert.Equal(Canonical(fromJson.Sensors), Canonical(fromPacked.Sensors));
            Assert.Equal(Canonical(fromJson.Districts.Select(d => (d.Id, d.Name, d.Boundary))), Canonical(fromPacked.Districts.Select(d => (d.Id, d.Name, d.Boundary))));
            Assert.NotEmpty(fromPacked.Segments);
            Assert.NotEmpty(fromPacked.Sensors);
        }

        var (segment, counter) = await Http.SoleCounterSegment("son-tra");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        var postedAt = DateTimeOffset.UtcNow;
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.25, 2);
        await Http.PostReadings(Reading(counter.Id, postedAt.ToOffset(TimeSpan.FromHours(7)), new { speed = slow, flow = 1234.5, occupancy = 61 }));

        foreach (var scope in new[] { "city", district })
        {
            var jsonFrame = await json.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount > before), $"JSON delta of {scope}");
            var packedFrame = await packed.WaitForDelta(scope, d => d.Sequence == jsonFrame.Sequence, $"MessagePack delta {jsonFrame.Sequence} of {scope}");
            Assert.Equal(Canonical(jsonFrame), Canonical(packedFrame));

            var sensor = packedFrame.Sensors.Single(s => s.Id == counter.Id);
            Assert.Equal(before + 1, sensor.ReadingCount);
            Assert.Equal(slow, sensor.Values["speed"]);
            Assert.Equal(1234.5, sensor.Values["flow"]);
            Assert.Equal(61, sensor.Values["occupancy"]);
            Assert.Equal(SensorKind.TrafficCounter, sensor.Kind);
            Assert.Equal(Sector.Traffic, sensor.Sector);
            Assert.Equal(SensorHealth.Online, sensor.Health);
            Assert.InRange(sensor.LastSeen!.Value, postedAt.AddSeconds(-1), DateTimeOffset.UtcNow);
            Assert.Equal("son-tra", sensor.DistrictId);
            Assert.Equal(segment.Spec!.Id, sensor.SegmentId);

            var packedRoad = await packed.WaitForDelta(scope,
                d => d.Segments.Any(s => s.Id == segment.Spec!.Id && s.Traffic.Los == LevelOfService.F), $"MessagePack road of {scope}");
            var jsonRoad = await json.WaitForDelta(scope, d => d.Sequence == packedRoad.Sequence, $"JSON frame {packedRoad.Sequence} of {scope}");
            Assert.Equal(Canonical(jsonRoad), Canonical(packedRoad));
            Assert.Equal(slow, packedRoad.Segments.Single(s => s.Id == segment.Spec!.Id).Traffic.SpeedKmh);
        }

        var packedCity = await packed.WaitForDelta("city", d => d.City?.Kpis.CongestedKm.Value is not null, "MessagePack city KPIs");
        var jsonCity = await json.WaitForDelta("city", d => d.Sequence == packedCity.Sequence, $"JSON city frame {packedCity.Sequence}");
        Assert.Equal(Canonical(jsonCity.City), Canonical(packedCity.City));
        Assert.Equal(Canonical(jsonCity.Districts), Canonical(packedCity.Districts));
        Assert.NotNull(packedCity.City!.Kpis.CongestedKm.AsOf);
    }

    [Fact]
    public async Task A_screen_that_reconnects_shows_what_happened_while_it_was_away()
    {
        const string scope = "district:ngu-hanh-son";
        var token = api.Token(TwinRoles.DistrictOc, districts: ["ngu-hanh-son"]);
        var (segment, counter) = await Http.SoleCounterSegment("ngu-hanh-son");
        var first = await LiveScreen.ConnectAsync(api, token);
        var before = (await first.Subscribe(scope)).Sensors.Single(s => s.Id == counter.Id);
        await first.Connection.StopAsync();
        await first.DisposeAsync();

        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.15, 1);
        var start = DateTimeOffset.UtcNow;
        await Http.PostReadings(
            Reading(counter.Id, start, new { speed = 44, flow = 600 }),
            Reading(counter.Id, start.AddMilliseconds(1), new { speed = 30, flow = 900 }),
            Reading(counter.Id, start.AddMilliseconds(2), new { speed = slow, flow = 1700 }));

        await using var second = await LiveScreen.ConnectAsync(api, token);
        var snapshot = await second.Subscribe(scope);

        // The snapshot is as of the last update the API process received; the deltas after it bring the rest.
        var sensor = await Eventually.Until(() => Task.FromResult(second.ShownSensor(snapshot, counter.Id)),
            s => s.ReadingCount >= before.ReadingCount + 3, because: "the readings posted while away are shown");
        Assert.Equal(before.ReadingCount + 3, sensor.ReadingCount);
        Assert.Equal(slow, sensor.Values["speed"]);
        Assert.Equal(1700, sensor.Values["flow"]);
        Assert.DoesNotContain(first.Deltas.SelectMany(d => d.Sensors), s => s.Id == counter.Id && s.ReadingCount > before.ReadingCount);
        var road = await Eventually.Until(
            async () => (await second.Subscribe(scope)).Segments.Single(s => s.Spec!.Id == segment.Spec!.Id),
            s => s.Traffic.Los == LevelOfService.F, because: "a fresh snapshot shows the road congested");
        Assert.Equal(slow, road.Traffic.SpeedKmh);
    }

    [Fact]
    public async Task An_entity_screen_follows_one_sensor_of_the_OCs_district()
    {
        var (_, counter) = await Http.SoleCounterSegment("cam-le");
        var neighbour = (await Http.Get<List<SensorView>>("/api/v1/districts/cam-le/sensors")).First(s => s.Id != counter.Id);
        var scope = $"entity:{counter.Id}";
        await using var oc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["cam-le"]));

        var snapshot = await oc.Subscribe(scope);

        Assert.Equal(counter.Id, Assert.Single(snapshot.Sensors).Id);
        Assert.Empty(snapshot.Segments);
        Assert.Empty(snapshot.Districts);
        var now = DateTimeOffset.UtcNow;
        await Http.PostReadings(
            Reading(neighbour.Id, now, SampleReadings.ValuesFor(neighbour.Kind, 7)),
            Reading(counter.Id, now, new { speed = 52, flow = 520 }));
        var delta = await oc.WaitForDelta(scope, d => d.Sensors.Any(s => s.Values.GetValueOrDefault("flow") == 520), "the sensor's reading");
        Assert.Equal(520, delta.Sensors.Single().Values["flow"]);
        var deltas = oc.DeltasOf(scope);
        // Consecutive numbers above the snapshot's (a frame merging those held behind it stands for several).
        Assert.All(deltas, d => Assert.True(d.Sequence > snapshot.Sequence, "no frame from before the snapshot"));
        var covered = LiveScreen.SequencesAbove(snapshot.Sequence, deltas);
        Assert.Equal(Enumerable.Range(1, covered.Count).Select(i => snapshot.Sequence + i), covered);
        Assert.All(oc.Deltas, d =>
        {
            Assert.Equal(counter.Id, Assert.Single(d.Sensors).Id);
            Assert.Empty(d.Segments);
            Assert.Empty(d.Districts);
        });
    }

    [Fact]
    public async Task After_unsubscribing_a_screen_gets_no_more_frames_of_that_scope()
    {
        var sensors = (await Http.Get<List<SensorView>>("/api/v1/districts/hoa-vang/sensors"))
            .Where(s => s.Kind == SensorKind.TrafficCounter).Take(2).ToList();
        var (dropped, kept) = ($"entity:{sensors[0].Id}", $"entity:{sensors[1].Id}");
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["hoa-vang"]));
        await screen.Subscribe(dropped);
        await screen.Subscribe(kept);
        await Http.PostReadings(Reading(sensors[0].Id, DateTimeOffset.UtcNow, new { speed = 30, flow = 301 }));
        await screen.WaitForDelta(dropped, d => d.Sensors.Any(s => s.Values.GetValueOrDefault("flow") == 301), "frames of the scope before unsubscribing");

        await screen.Connection.InvokeAsync("Unsubscribe", dropped);
        var framesBefore = screen.DeltasOf(dropped).Count;
        await Http.PostReadings(
            Reading(sensors[0].Id, DateTimeOffset.UtcNow, new { speed = 31, flow = 302 }),
            Reading(sensors[1].Id, DateTimeOffset.UtcNow, new { speed = 31, flow = 302 }));
        await screen.WaitForDelta(kept, d => d.Sensors.Any(s => s.Values.GetValueOrDefault("flow") == 302), "the kept scope streams on");
        // One more frame of the kept scope: whatever was flushed with the previous one has arrived by now.
        await Http.PostReadings(Reading(sensors[1].Id, DateTimeOffset.UtcNow, new { speed = 32, flow = 303 }));
        await screen.WaitForDelta(kept, d => d.Sensors.Any(s => s.Values.GetValueOrDefault("flow") == 303), "the kept scope streams on");

        Assert.Equal(framesBefore, screen.DeltasOf(dropped).Count);
    }

    /// <summary>A frame as the JSON API would write it: equal text means equal content.</summary>
    private static string Canonical<T>(T frame) => JsonSerializer.Serialize(frame, TwinJson.Options);

    /// <summary>
    /// A snapshot for each screen, taken in a row. An update landing between the two (a reading of an earlier test still
    /// rolling up) makes them differ; then both are taken again, a few times at most, so a protocol that always
    /// differs still fails.
    /// </summary>
    private static async Task<(ScopeSnapshot Json, ScopeSnapshot Packed)> SnapshotsInARow(LiveScreen json, LiveScreen packed, string scope)
    {
        for (var attempt = 1; ; attempt++)
        {
            var fromJson = await json.Subscribe(scope);
            var fromPacked = await packed.Subscribe(scope);
            if (attempt == 3 || (Canonical(fromJson.Segments) == Canonical(fromPacked.Segments) && Canonical(fromJson.Sensors) == Canonical(fromPacked.Sensors)))
            {
                return (fromJson, fromPacked);
            }
            await json.Connection.InvokeAsync("Unsubscribe", scope);
            await packed.Connection.InvokeAsync("Unsubscribe", scope);
        }
    }

    [Fact]
    public async Task A_city_screen_left_open_does_not_keep_every_frame_it_was_sent_for_screens_that_never_come()
    {
        const string scope = "city";
        var dispatcher = api.Services.GetRequiredService<ScopeDispatcher>();
        await using var wall = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await wall.Subscribe(scope);
        var (_, counter) = await Http.SoleCounterSegment("lien-chieu");
        var count = snapshot.Sensors.Single(s => s.Id == counter.Id).ReadingCount;

        // Each reading waited for on screen before the next: one frame each, and no other screen subscribes meanwhile.
        for (var frame = 0; frame < dispatcher.MaxReplayFrames + 4; frame++)
        {
            await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 30.0 + frame, flow = 900 + frame }));
            var seen = count;
            await wall.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount > seen), "the reading reaches the wall screen");
            count++;
        }

        Assert.InRange(dispatcher.FramesKeptForLaterSubscribers(scope), 0, dispatcher.MaxReplayFrames);
    }
}
