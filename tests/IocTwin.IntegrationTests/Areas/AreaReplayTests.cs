using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.History;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Areas;

/// <summary>The timeline replays every level of the tree of areas: a district rolls up its wards as they were then.</summary>
[Collection(AreasCollection.Name)]
public sealed class AreaReplayTests(AreasTwinFactory api)
{
    private HttpClient Ioc => api.Http;

    [Fact]
    public async Task The_city_at_a_past_time_rolls_its_wards_up_into_their_district_and_each_OC_replays_its_own_areas_only()
    {
        var tag = Tag();
        var (district, west, east) = ($"d-{tag}", $"w1-{tag}", $"w2-{tag}");
        await ImportAsync(Ioc,
            Area(district, "district", null, 104.0, 10.0, 104.2, 10.2),
            Area(west, "ward", district, 104.0, 10.0, 104.1, 10.2),
            Area(east, "ward", district, 104.1, 10.0, 104.2, 10.2),
            CountedSegment($"s1-{tag}", west, 104.03, 10.1),
            CountedSegment($"s2-{tag}", east, 104.13, 10.1),
            Sensor($"air-{tag}", "air-quality", east, 104.15, 10.15));
        var then = DateTimeOffset.UtcNow.AddMinutes(-10);
        var posted = await Ioc.PostReadings(
            Reading($"s1-{tag}-counter", then, new { speed = 12.0, flow = 900 }),
            Reading($"s2-{tag}-counter", then, new { speed = 36.0, flow = 700 }),
            Reading($"air-{tag}", then, new { aqi = 151 }));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var time = Uri.EscapeDataString(then.AddMinutes(1).ToString("O"));

        var city = await Ioc.Get<CityAt>($"/api/v1/city/at?time={time}");
        var areas = city.Districts.ToDictionary(d => d.Id);
        Assert.Equal((district, "ward"), (areas[west].ParentId, areas[west].Kind));
        Assert.NotNull(areas[west].Kpis.MeanSpeedKmh.Value);
        Assert.Equal(151, areas[east].Kpis.WorstAqi.Value);
        // The district holds no roads of its own: its KPIs are its wards' rolled up, not empty.
        var rolledUp = KpiCalculator.ForCity([areas[west].Kpis, areas[east].Kpis]);
        Assert.Equal(Values(rolledUp), Values(areas[district].Kpis));
        Assert.Equal(151, areas[district].Kpis.WorstAqi.Value);
        Assert.Equal(3, areas[district].Kpis.SensorsOnline.Value);

        // A ward OC replays its ward, a district OC its district and both wards, with the same KPIs as the city's.
        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        var ward = await westOc.Get<CityAt>($"/api/v1/city/at?time={time}&areas={west}");
        Assert.Equal([west], ward.Districts.Select(d => d.Id));
        Assert.Equal([$"s1-{tag}"], ward.Segments.Select(s => s.Id));
        Assert.Equal(Values(areas[west].Kpis), Values(ward.Kpis));
        using var districtOc = api.CreateClient(TwinRoles.DistrictOc, districts: [district]);
        var own = await districtOc.Get<CityAt>($"/api/v1/city/at?time={time}&areas={district}");
        Assert.Equal(new[] { district, west, east }.Order(), own.Districts.Select(d => d.Id).Order());
        Assert.Equal(Values(areas[district].Kpis), Values(own.Kpis));

        // Nobody replays what their token does not cover, nor the whole city unless they see everything.
        Assert.Equal(HttpStatusCode.Forbidden, (await westOc.GetAsync($"/api/v1/city/at?time={time}&areas={east}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await westOc.GetAsync($"/api/v1/city/at?time={time}")).StatusCode);
        var empty = await Ioc.GetAsync($"/api/v1/city/at?time={time}&areas=,");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("areas", await empty.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync($"/api/v1/city/at?time={time}&areas=nowhere-{tag}")).StatusCode);
    }

    private static double?[] Values(DistrictKpis k) =>
        [k.MeanSpeedKmh.Value, k.CongestedKm.Value, k.WorstAqi.Value, k.MaxWaterLevelM.Value, k.SensorsOnline.Value, k.SensorsStale.Value,
            k.SensorsOffline.Value, k.OpenAlerts.Value];
}
