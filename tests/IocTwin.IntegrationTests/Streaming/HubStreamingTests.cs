using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
        var district = await screen.WaitForDelta(scope, d => d.Districts.Any(x => x.Id == "hai-chau"), "the district KPIs follow");
        Assert.True(district.Districts.Single().Kpis.CongestedKm.Value >= segment.Spec!.LengthM / 1000);

        var deltas = screen.DeltasOf(scope);
        Assert.Equal(Enumerable.Range(1, deltas.Count).Select(i => snapshot.Sequence + i), deltas.Select(d => d.Sequence));
        Assert.All(deltas, d =>
        {
            Assert.True(d.City is null || d.Districts.Count == 1, "a total comes with the districts it counts");
            Assert.All(d.Districts, x => Assert.Equal("hai-chau", x.Id));
            Assert.All(d.Segments, s => Assert.Equal("hai-chau", s.DistrictId));
            Assert.All(d.Sensors, s => Assert.Equal("hai-chau", s.DistrictId));
        });
    }

    [Theory]
    [InlineData("district:hai-chau")]
    [InlineData("city")]
    [InlineData("sector:traffic")]
    [InlineData("entity:sen-tc-001")]
    public async Task A_district_OC_cannot_subscribe_outside_its_district(string scope)
    {
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["thanh-khe"]));

        var error = await Assert.ThrowsAsync<HubException>(() => screen.Subscribe(scope));

        Assert.Contains("Forbidden", error.Message);
        Assert.Contains(scope, error.Message);
    }

    [Fact]
    public async Task Over_a_busy_city_feed_a_district_OC_sees_its_own_district_and_nothing_else()
    {
        const string own = "district:thanh-khe";
        await using var oc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["thanh-khe"]));
        await using var ioc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var watchStarts = DateTime.UtcNow;
        await ioc.Subscribe("city");
        foreach (var forbidden in new[] { "district:hai-chau", "city", "sector:traffic" })
        {
            await Assert.ThrowsAsync<HubException>(() => oc.Subscribe(forbidden));
        }
        var snapshot = await oc.Subscribe(own);
        Assert.All(snapshot.Sensors, s => Assert.Equal("thanh-khe", s.DistrictId));
        Assert.All(snapshot.Segments, s => Assert.Equal("thanh-khe", s.Spec!.DistrictId));

        var all = await SampleReadings.AllSensors(Http);
        var feedEnds = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        for (var round = 0; DateTime.UtcNow < feedEnds; round++)
        {
            var response = await Http.PostReadings(SampleReadings.Round(all, round));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        // A last reading in the OC's own district: once it arrives, every earlier frame for this screen has arrived too.
        var fence = all.First(s => s.DistrictId == "thanh-khe" && s.Kind == SensorKind.TrafficCounter);
        await Http.PostReadings(Reading(fence.Id, DateTimeOffset.UtcNow, new { speed = 47.5, flow = 321 }));
        await oc.WaitForDelta(own, d => d.Sensors.Any(s => s.Id == fence.Id && s.Values["flow"] == 321), "the OC's own district streams");
        var elapsed = DateTime.UtcNow - watchStarts;

        var cityDistricts = ioc.DeltasOf("city").SelectMany(d => d.Sensors).Select(s => s.DistrictId).ToHashSet();
        Assert.Superset(all.Select(s => s.DistrictId).ToHashSet(), cityDistricts);
        Assert.All(oc.Received, frame => Assert.Equal(own, Assert.IsType<DeltaFrame>(frame).Scope));
        var seen = oc.Deltas;
        Assert.True(seen.Count >= 5, $"the OC got {seen.Count} frames over a 3 s feed");
        Assert.All(seen, d =>
        {
            Assert.True(d.City is null || d.Districts.Count == 1, "a total comes with the districts it counts");
            Assert.All(d.Districts, x => Assert.Equal("thanh-khe", x.Id));
            Assert.All(d.Segments, s => Assert.Equal("thanh-khe", s.DistrictId));
            Assert.All(d.Sensors, s => Assert.Equal("thanh-khe", s.DistrictId));
        });
        var ownSensors = all.Where(s => s.DistrictId == "thanh-khe").Select(s => s.Id).ToHashSet();
        Assert.Equal(ownSensors, seen.SelectMany(d => d.Sensors).Select(s => s.Id).ToHashSet());
        Assert.Contains(seen, d => d.Districts.Count > 0);
        Assert.Contains(seen, d => d.Segments.Count > 0);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => snapshot.Sequence + i), seen.Select(d => d.Sequence));

        // However busy the feed, a scope gets at most its configured frames a second, each entity once per frame, never
        // going back in time. The city's snapshot shares records taken a few frames earlier: those frames (at most 16)
        // come as a catch-up burst around the snapshot answer, on the connection's own queue, so they are allowed on top
        // of the pace.
        var pace = api.Services.GetRequiredService<IOptions<StreamingOptions>>().Value.MaxFramesPerSecond;
        foreach (var (frames, catchUp) in new[] { (seen, 0), (ioc.DeltasOf("city"), 16) })
        {
            Assert.InRange(frames.Count, 5, elapsed.TotalSeconds * pace + 2 + catchUp);
            Assert.All(frames, d => Assert.Equal(d.Sensors.Count, d.Sensors.DistinctBy(s => s.Id).Count()));
            Assert.All(frames, d => Assert.Equal(d.Segments.Count, d.Segments.DistinctBy(s => s.Id).Count()));
            Assert.All(frames.SelectMany(d => d.Sensors).GroupBy(s => s.Id), versions =>
                Assert.Equal(versions.Select(s => s.ReadingCount).Order(), versions.Select(s => s.ReadingCount)));
        }
    }

    [Fact]
    public async Task A_sector_OC_sees_its_sector_sensors_and_no_roads()
    {
        const string scope = "sector:environment";
        await using var oc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.SectorOc, sectors: ["environment"]));
        await using var ioc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        await ioc.Subscribe("city");
        await Assert.ThrowsAsync<HubException>(() => oc.Subscribe("sector:traffic"));
        await Assert.ThrowsAsync<HubException>(() => oc.Subscribe("district:son-tra"));

        var snapshot = await oc.Subscribe(scope);

        Assert.Empty(snapshot.Segments);
        Assert.NotEmpty(snapshot.Sensors);
        Assert.All(snapshot.Sensors, s => Assert.Contains(s.Kind, new[] { SensorKind.AirQuality, SensorKind.Noise }));
        var air = snapshot.Sensors.First(s => s.Kind == SensorKind.AirQuality);
        var noise = snapshot.Sensors.First(s => s.Kind == SensorKind.Noise);
        // Its districts' KPIs count its own sensors only, those of the wards below them too, and its total is theirs:
        // no road speeds, no other sector's sensors.
        foreach (var district in snapshot.Districts)
        {
            var subtree = (await Http.Get<List<SensorView>>($"/api/v1/areas/{district.Id}/sensors")).Select(s => s.Id).ToHashSet();
            Assert.Null(district.Kpis.MeanSpeedKmh.Value);
            Assert.Equal(snapshot.Sensors.Count(s => subtree.Contains(s.Id)), SensorsCounted(district.Kpis));
        }
        Assert.Equal(snapshot.Sensors.Count, SensorsCounted(snapshot.City!.Kpis));

        var (segment, counter) = await Http.SoleCounterSegment(air.DistrictId, index: 1);
        var now = DateTimeOffset.UtcNow;
        var speed = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.9, 1);
        await Http.PostReadings(
            Reading(counter.Id, now, new { speed, flow = 900 }),
            Reading(air.Id, now, new { aqi = 163, pm25 = 77 }),
            Reading(noise.Id, now, new { db = 71 }));
        await ioc.WaitForDelta("city", d => d.Segments.Any(s => s.Id == segment.Spec!.Id && s.Traffic.SpeedKmh == speed), "the road change is streamed to the IOC");
        await oc.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == air.Id && s.Values["aqi"] == 163), "the air-quality reading reaches the OC");
        await oc.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == noise.Id && s.Values["db"] == 71), "the noise reading reaches the OC");
        // A later reading in the sector: once it arrives, anything streamed with the road change has arrived too.
        await Http.PostReadings(Reading(air.Id, DateTimeOffset.UtcNow, new { aqi = 164, pm25 = 78 }));
        await oc.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == air.Id && s.Values["aqi"] == 164), "the later reading reaches the OC");
        var worst = await oc.WaitForDelta(scope, d => d.Districts.Any(x => x.Id == air.DistrictId && x.Kpis.WorstAqi.Value >= 164),
            "the district's worst AQI, counted by the server, follows");
        Assert.True(worst.City!.Kpis.WorstAqi.Value >= 164, "the sector's total follows with it");

        Assert.All(oc.Deltas, d =>
        {
            Assert.Equal(scope, d.Scope);
            Assert.Empty(d.Segments);
            Assert.All(d.Sensors, s => Assert.Equal(Sector.Environment, s.Sector));
            Assert.All(d.Districts, x => Assert.Null(x.Kpis.MeanSpeedKmh.Value));
        });
        Assert.DoesNotContain(oc.Deltas.SelectMany(d => d.Sensors), s => s.Id == counter.Id);
    }

    private static int SensorsCounted(DistrictKpis kpis) =>
        (int)((kpis.SensorsOnline.Value ?? 0) + (kpis.SensorsStale.Value ?? 0) + (kpis.SensorsOffline.Value ?? 0));

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
    public async Task A_screen_that_reconnects_gets_a_snapshot_with_what_happened_while_it_was_away()
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

        var sensor = snapshot.Sensors.Single(s => s.Id == counter.Id);
        Assert.Equal(before.ReadingCount + 3, sensor.ReadingCount);
        Assert.Equal(slow, sensor.LastReading!.Values["speed"]);
        Assert.Equal(1700, sensor.LastReading.Values["flow"]);
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
        Assert.Equal(Enumerable.Range(1, deltas.Count).Select(i => snapshot.Sequence + i), deltas.Select(d => d.Sequence));
        Assert.All(oc.Deltas, d =>
        {
            Assert.Equal(counter.Id, Assert.Single(d.Sensors).Id);
            Assert.Empty(d.Segments);
            Assert.Empty(d.Districts);
        });
    }

    [Fact]
    public async Task A_connection_holds_at_most_sixteen_scopes()
    {
        var sensors = (await Http.Get<List<SensorView>>("/api/v1/districts/hoa-vang/sensors")).Take(ScopeDispatcher.MaxScopesPerConnection + 1).ToList();
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        foreach (var sensor in sensors.SkipLast(1))
        {
            await screen.Subscribe($"entity:{sensor.Id}");
        }
        // Subscribing again to a scope it holds is fine.
        await screen.Subscribe($"entity:{sensors[0].Id}");

        var error = await Assert.ThrowsAsync<HubException>(() => screen.Subscribe($"entity:{sensors[^1].Id}"));

        Assert.Contains("at most 16 scopes", error.Message);
        await screen.Connection.InvokeAsync("Unsubscribe", $"entity:{sensors[0].Id}");
        Assert.Equal(sensors[^1].Id, Assert.Single((await screen.Subscribe($"entity:{sensors[^1].Id}")).Sensors).Id);
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
        await screen.WaitForDelta(dropped, d => d.Sensors.Any(s => s.Values["flow"] == 301), "frames of the scope before unsubscribing");

        await screen.Connection.InvokeAsync("Unsubscribe", dropped);
        var framesBefore = screen.DeltasOf(dropped).Count;
        await Http.PostReadings(
            Reading(sensors[0].Id, DateTimeOffset.UtcNow, new { speed = 31, flow = 302 }),
            Reading(sensors[1].Id, DateTimeOffset.UtcNow, new { speed = 31, flow = 302 }));
        await screen.WaitForDelta(kept, d => d.Sensors.Any(s => s.Values["flow"] == 302), "the kept scope streams on");
        // One more frame of the kept scope: whatever was flushed with the previous one has arrived by now.
        await Http.PostReadings(Reading(sensors[1].Id, DateTimeOffset.UtcNow, new { speed = 32, flow = 303 }));
        await screen.WaitForDelta(kept, d => d.Sensors.Any(s => s.Values["flow"] == 303), "the kept scope streams on");

        Assert.Equal(framesBefore, screen.DeltasOf(dropped).Count);
    }

    [Fact]
    public async Task Without_a_token_the_hub_refuses_the_connection()
    {
        await using var screen = LiveScreen.Create(api, token: null);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => screen.Connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        var negotiate = await api.CreateClient().PostAsync("/hubs/twin/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        var withToken = await api.CreateClient().PostAsync($"/hubs/twin/negotiate?negotiateVersion=1&access_token={api.Token(TwinRoles.Viewer)}", null);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
    }

    [Fact]
    public async Task A_token_with_a_bad_signature_is_refused()
    {
        var token = api.Token(TwinRoles.Ioc);
        var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
        await using var screen = LiveScreen.Create(api, forged);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => screen.Connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Theory]
    [InlineData("galaxy:far-away", "Unknown scope kind 'galaxy'")]
    [InlineData("sector:sewage", "Unknown sector 'sewage'")]
    [InlineData("everything", "A scope is 'city'")]
    [InlineData("district:Hai Chau", "district:Hai Chau")]
    [InlineData("entity:no-such-sensor", "Unknown entity 'no-such-sensor'")]
    public async Task A_bad_scope_is_a_hub_error_naming_the_problem(string scope, string expected)
    {
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));

        var error = await Assert.ThrowsAsync<HubException>(() => screen.Subscribe(scope));

        Assert.Contains(expected, error.Message);
        var snapshot = await screen.Subscribe("district:cam-le");
        Assert.NotEmpty(snapshot.Sensors);
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

    // An OC with several districts or sectors takes them as one scope, whose total the server counts.
    [Fact]
    public async Task A_district_OC_gets_all_its_districts_in_one_scope_with_their_total()
    {
        var token = api.Token(TwinRoles.DistrictOc, districts: ["son-tra", "cam-le"]);
        await using var oc = await LiveScreen.ConnectAsync(api, token);

        // Listed in any order, the districts are one scope, named in one order.
        var snapshot = await oc.Subscribe("district:son-tra,cam-le");
        const string scope = "district:cam-le,son-tra";
        Assert.Equal(scope, snapshot.Scope);
        Assert.Equal(["cam-le", "son-tra"], snapshot.Districts.Select(d => d.Id).Order());
        Assert.All(snapshot.Sensors, s => Assert.Contains(s.DistrictId, new[] { "cam-le", "son-tra" }));
        Assert.Equal(snapshot.Districts.Sum(d => d.Kpis.SensorsOnline.Value ?? 0), snapshot.City!.Kpis.SensorsOnline.Value ?? 0);
        Assert.Equal(snapshot.Districts.Sum(d => d.Kpis.CongestedKm.Value ?? 0), snapshot.City.Kpis.CongestedKm.Value ?? 0, 9);

        // A reading in one of them moves that district and the total with it.
        var (_, counter) = await Http.SoleCounterSegment("son-tra");
        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 44.5, flow = 611 }));
        var frame = await oc.WaitForDelta(scope, d => d.Districts.Any(x => x.Id == "son-tra") && d.City is not null,
            "the district and the scope's total follow the reading");
        Assert.All(frame.Districts, d => Assert.Contains(d.Id, new[] { "cam-le", "son-tra" }));
        Assert.True(frame.City!.Kpis.SensorsOnline.Value >= frame.Districts.Single(d => d.Id == "son-tra").Kpis.SensorsOnline.Value);
    }

    [Fact]
    public async Task A_district_in_the_token_the_twin_does_not_hold_leaves_the_OCs_other_districts_on_screen()
    {
        // A token from the city's identity provider may name a district not imported yet, or merged away.
        var token = api.Token(TwinRoles.DistrictOc, districts: ["son-tra", "not-imported-yet"]);
        await using var oc = await LiveScreen.ConnectAsync(api, token);

        var snapshot = await oc.Subscribe("district:son-tra,not-imported-yet");
        Assert.Equal(["son-tra"], snapshot.Districts.Select(d => d.Id));
        Assert.NotEmpty(snapshot.Sensors);
        Assert.All(snapshot.Sensors, s => Assert.Equal("son-tra", s.DistrictId));
        // A scope of districts the twin holds none of is still unknown.
        await Assert.ThrowsAsync<HubException>(() => oc.Subscribe("district:not-imported-yet"));
    }

    [Fact]
    public async Task A_scope_naming_one_district_or_sector_outside_the_token_is_refused_whole()
    {
        await using var district = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["son-tra"]));
        await Assert.ThrowsAsync<HubException>(() => district.Subscribe("district:son-tra,hai-chau"));
        await using var sector = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.SectorOc, sectors: ["flood"]));
        await Assert.ThrowsAsync<HubException>(() => sector.Subscribe("sector:flood,traffic"));

        // The sectors it holds are one scope; its districts carry those sectors' KPIs only.
        var flood = await sector.Subscribe("sector:flood");
        Assert.All(flood.Sensors, s => Assert.Equal(Sector.Flood, s.Sector));
        Assert.Empty(flood.Segments);
        Assert.All(flood.Districts, d => Assert.Null(d.Kpis.WorstAqi.Value));
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
