using System.Net;
using IocTwin.Api.Access;
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
/// <summary>
/// Who may subscribe to what on the hub: an OC's screens see their own districts or sector and nothing else, however
/// busy the feed; tokens and scopes that do not hold are refused with a message naming the problem.
/// </summary>
[Collection(TwinApiCollection.Name)]
public sealed class HubScopeAccessTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

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
        await oc.WaitForDelta(own, d => d.Sensors.Any(s => s.Id == fence.Id && s.Values.GetValueOrDefault("flow") == 321), "the OC's own district streams");
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
        // Consecutive numbers above the snapshot's (a frame merging those held behind it stands for several).
        Assert.All(seen, d => Assert.True(d.Sequence > snapshot.Sequence, "no frame from before the snapshot"));
        var covered = LiveScreen.SequencesAbove(snapshot.Sequence, seen);
        Assert.Equal(Enumerable.Range(1, covered.Count).Select(i => snapshot.Sequence + i), covered);

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
}
