using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using static IocTwin.Tests.Api.TwinApiClient;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Areas;

/// <summary>Cities of two and three levels: KPIs rolled up exactly at every level, and OCs at any level seeing their subtree.</summary>
[Collection(AreasCollection.Name)]
public sealed class AreaTreeTests(AreasTwinFactory api)
{
    private HttpClient Ioc => api.Http;

    /// <summary>city → district → two wards; one segment placed in its ward by geometry, one air sensor too.</summary>
    private async Task<(string District, string West, string East)> ThreeLevelCityAsync(string tag)
    {
        var (district, west, east) = ($"d-{tag}", $"w1-{tag}", $"w2-{tag}");
        await ImportAsync(Ioc,
            Area(district, "district", null, 100.0, 10.0, 100.2, 10.2),
            Area(west, "ward", district, 100.0, 10.0, 100.1, 10.2),
            Area(east, "ward", district, 100.1, 10.0, 100.2, 10.2),
            // Named in the district: it goes to the ward below holding its midpoint.
            CountedSegment($"s1-{tag}", district, 100.03, 10.1),
            CountedSegment($"s2-{tag}", east, 100.13, 10.1),
            CountedSegment($"s3-{tag}", east, 100.15, 10.05),
            Sensor($"air-{tag}", "air-quality", district, 100.15, 10.15));
        return (district, west, east);
    }

    [Fact]
    public async Task Every_area_of_a_three_level_city_equals_the_aggregation_of_its_children_after_a_burst_of_readings()
    {
        var tag = Tag();
        var (district, west, east) = await ThreeLevelCityAsync(tag);
        await BurstAsync(Ioc, [$"s1-{tag}-counter", $"s2-{tag}-counter", $"s3-{tag}-counter"], [$"air-{tag}"]);

        var wards = await Eventually.Until(
            async () => new[] { await Ioc.Get<DistrictView>($"/api/v1/areas/{west}"), await Ioc.Get<DistrictView>($"/api/v1/areas/{east}") },
            w => w[0].Kpis.SensorsOnline.Value == 1 && w[1].Kpis.SensorsOnline.Value == 3 && w.All(x => x.Kpis.MeanSpeedKmh.Value is not null),
            because: "every ward hears its sensors");
        Assert.Equal((district, "ward", 1), (wards[0].ParentId, wards[0].Kind, wards[0].SegmentCount));
        Assert.Equal(2, wards[1].SegmentCount);
        Assert.NotNull(wards[1].Kpis.WorstAqi.Value);

        // The district is the exact roll-up of its wards (speed weighted by length, not an average of averages)...
        var (parent, _) = await Eventually.Until(
            async () => (await Ioc.Get<DistrictView>($"/api/v1/areas/{district}"),
                new[] { await Ioc.Get<DistrictView>($"/api/v1/areas/{west}"), await Ioc.Get<DistrictView>($"/api/v1/areas/{east}") }),
            p => Same(p.Item1.Kpis, KpiCalculator.ForCity(p.Item2.Select(w => w.Kpis))), because: "the district rolls its wards up");
        Assert.Equal(new[] { west, east }.Order(StringComparer.Ordinal), parent.ChildIds!);
        Assert.Equal((3, 4), (parent.SegmentCount, parent.SensorCount));
        // ... and the city holds the district, not its wards, with the same KPIs (the district's as they are when the
        // city is read: a reading of the burst still on its way may move both after the roll-up above was checked).
        var (city, _) = await Eventually.Until(
            async () => (await Ioc.Get<CityView>("/api/v1/city"), await Ioc.Get<DistrictView>($"/api/v1/areas/{district}")),
            p => p.Item1.Districts!.Any(d => d.Id == district && Same(d.Kpis, p.Item2.Kpis)), because: "the city hears the district");
        Assert.DoesNotContain(city.Districts!, d => d.Id == west || d.Id == east);
        var children = await Ioc.Get<List<DistrictView>>($"/api/v1/areas/{district}/children");
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal(district, c.ParentId));
    }

    [Fact]
    public async Task A_two_level_city_of_wards_rolls_each_ward_into_the_city_and_moving_a_segment_moves_its_kilometres()
    {
        var tag = Tag();
        var (north, south) = ($"n-{tag}", $"s-{tag}");
        await ImportAsync(Ioc,
            Area(north, "ward", null, 101.0, 10.1, 101.2, 10.2),
            Area(south, "commune", null, 101.0, 10.0, 101.2, 10.1),
            CountedSegment($"a-{tag}", north, 101.05, 10.15),
            CountedSegment($"b-{tag}", south, 101.05, 10.05));
        await BurstAsync(Ioc, [$"a-{tag}-counter", $"b-{tag}-counter"], []);

        var city = await Eventually.Until(() => Ioc.Get<CityView>("/api/v1/city"),
            c => c.Districts!.Count(d => (d.Id == north || d.Id == south) && d.Kpis.MeanSpeedKmh.Value is not null) == 2,
            because: "the city hears both wards");
        Assert.Equal(["commune", "ward"], city.Districts!.Where(d => d.Id == north || d.Id == south).Select(d => d.Kind).Order());
        Assert.DoesNotContain(await Ioc.Get<List<DistrictView>>("/api/v1/districts"), d => d.Id == north);

        // Re-registered in the other ward: its length leaves the first and joins the second.
        var segment = await Ioc.Get<SegmentView>($"/api/v1/segments/a-{tag}");
        var moved = await Ioc.PutJson($"/api/v1/segments/a-{tag}", System.Text.Json.JsonSerializer.Serialize(new
        {
            name = segment.Spec!.Name, districtId = south, fromNode = segment.Spec.FromNode, toNode = segment.Spec.ToNode,
            geometry = segment.Spec.Geometry.Select(p => new[] { p.Lon, p.Lat }),
        }));
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        var (before, after) = await Eventually.Until(
            async () => (await Ioc.Get<DistrictView>($"/api/v1/areas/{north}"), await Ioc.Get<DistrictView>($"/api/v1/areas/{south}")),
            p => p.Item1.SegmentCount == 0 && p.Item2.SegmentCount == 2 && p.Item1.Kpis.MonitoredKm.Value == 0,
            because: "the moved segment counts in its new ward");
        Assert.Equal(0, before.Kpis.MonitoredKm.Value);
        Assert.True(after.Kpis.MonitoredKm.Value > 1.5, $"{after.Kpis.MonitoredKm.Value}");
    }

    [Fact]
    public async Task A_ward_OC_and_a_district_OC_each_see_exactly_their_subtree_over_REST()
    {
        var tag = Tag();
        var (district, west, east) = await ThreeLevelCityAsync(tag);
        using var ward = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        using var whole = ClientWithAreaClaim(district);

        Assert.Equal([west], (await ward.Get<List<DistrictView>>("/api/v1/areas")).Select(a => a.Id));
        Assert.Equal([$"s1-{tag}"], (await ward.Get<List<SegmentView>>($"/api/v1/areas/{west}/segments")).Select(s => s.Id));
        foreach (var path in new[] { $"/api/v1/areas/{east}", $"/api/v1/areas/{district}", $"/api/v1/segments/s2-{tag}", $"/api/v1/sensors/air-{tag}", $"/api/v1/areas/{east}/sensors" })
        {
            var response = await ward.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
        }

        Assert.Equal(new[] { district, east, west }.Order(StringComparer.Ordinal),
            (await whole.Get<List<DistrictView>>("/api/v1/areas")).Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal([$"s1-{tag}", $"s2-{tag}", $"s3-{tag}"],
            (await whole.Get<List<SegmentView>>($"/api/v1/areas/{district}/segments")).Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Equal(4, (await whole.Get<List<SensorView>>($"/api/v1/districts/{district}/sensors")).Count);
        Assert.Equal($"air-{tag}", (await whole.Get<SensorView>($"/api/v1/sensors/air-{tag}")).Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await whole.GetAsync("/api/v1/districts/hai-chau")).StatusCode);
        // The district routes are for districts: a ward is an area, not a district.
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync($"/api/v1/districts/{west}")).StatusCode);
    }

    [Fact]
    public async Task A_ward_OC_and_a_district_OC_each_receive_exactly_their_subtree_over_the_hub_under_a_busy_feed()
    {
        var tag = Tag();
        var (district, west, east) = await ThreeLevelCityAsync(tag);
        await using var wardScreen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: [west]));
        await using var districtScreen = await LiveScreen.ConnectAsync(api, AreaToken(district));

        var wardSnapshot = await wardScreen.Subscribe($"area:{west}");
        Assert.Equal([west], wardSnapshot.Districts.Select(d => d.Id));
        Assert.Equal([$"s1-{tag}"], wardSnapshot.Segments.Select(s => s.Id));
        await Assert.ThrowsAsync<HubException>(() => wardScreen.Subscribe($"area:{east}"));
        await Assert.ThrowsAsync<HubException>(() => wardScreen.Subscribe($"district:{district}"));

        var districtSnapshot = await districtScreen.Subscribe($"area:{district}");
        Assert.Equal(new[] { district, east, west }.Order(StringComparer.Ordinal), districtSnapshot.Districts.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.True(Same(districtSnapshot.City!.Kpis, districtSnapshot.Districts.Single(d => d.Id == district).Kpis), "the scope's total is its district's");
        Assert.Equal(3, districtSnapshot.Segments.Count);
        Assert.Equal(4, districtSnapshot.Sensors.Count);

        // A busy feed over both wards and the sample city: each screen hears only its own subtree.
        var sample = (await SampleReadings.AllSensors(Ioc)).Take(40).ToList();
        for (var round = 0; round < 4; round++)
        {
            await Ioc.PostReadings(SampleReadings.Round(sample, round));
            await BurstAsync(Ioc, [$"s1-{tag}-counter", $"s2-{tag}-counter", $"s3-{tag}-counter"], [$"air-{tag}"], rounds: 1);
        }
        await wardScreen.WaitForDelta($"area:{west}", d => d.Segments.Any(s => s.Id == $"s1-{tag}"), "the ward hears its own road");
        await districtScreen.WaitForDelta($"area:{district}", d => d.Segments.Any(s => s.Id == $"s3-{tag}"),
            "the district hears a road of its east ward");
        var ownOfWard = new HashSet<string> { west, $"s1-{tag}", $"s1-{tag}-counter" };
        foreach (var delta in wardScreen.DeltasOf($"area:{west}"))
        {
            Assert.All(delta.Districts, d => Assert.Contains(d.Id, ownOfWard));
            Assert.All(delta.Segments, s => Assert.Contains(s.Id, ownOfWard));
            Assert.All(delta.Sensors, s => Assert.Contains(s.Id, ownOfWard));
        }
        var ownOfDistrict = new HashSet<string> { district, west, east };
        foreach (var delta in districtScreen.DeltasOf($"area:{district}"))
        {
            Assert.All(delta.Districts, d => Assert.Contains(d.Id, ownOfDistrict));
            Assert.All(delta.Segments, s => Assert.EndsWith(tag, s.Id));
            Assert.All(delta.Sensors, s => Assert.Contains(tag, s.Id));
        }
    }

    private HttpClient ClientWithAreaClaim(string areaId)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AreaToken(areaId));
        return client;
    }

    /// <summary>A token with the <c>area</c> claim, as an identity provider of an IOC set up with areas issues it.</summary>
    private string AreaToken(string areaId) =>
        api.Services.GetRequiredService<TokenIssuer>().Issue("area-oc", TwinRoles.DistrictOc, [], [], TimeSpan.FromHours(1), areas: [areaId]);

    private static bool Same(DistrictKpis a, DistrictKpis b) =>
        new[] { (a.MeanSpeedKmh, b.MeanSpeedKmh), (a.CongestedKm, b.CongestedKm), (a.WorstAqi, b.WorstAqi), (a.MaxWaterLevelM, b.MaxWaterLevelM),
            (a.SensorsOnline, b.SensorsOnline), (a.SensorsStale, b.SensorsStale), (a.SensorsOffline, b.SensorsOffline),
            (a.OpenAlerts, b.OpenAlerts), (a.MonitoredKm, b.MonitoredKm) }
        .All(p => p.Item1.Value is null ? p.Item2.Value is null : p.Item2.Value is { } v && Math.Abs(p.Item1.Value.Value - v) <= 1e-9 * Math.Max(1, Math.Abs(v)));
}

/// <summary>A twin of its own: the shared one's tests expect every area of theirs directly under the city.</summary>
public sealed class AreasTwinFactory : TwinApiFactory;

[CollectionDefinition(Name)]
public sealed class AreasCollection : ICollectionFixture<AreasTwinFactory>
{
    public const string Name = "areas";
}
