using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Areas;

/// <summary>
/// City screens of a city with wards show the areas under the city, not their wards, also once live updates of the
/// wards have been laid over the state the API process holds for city snapshots.
/// </summary>
[Collection(AreasCollection.Name)]
public sealed class AreaCityScreenTests(AreasTwinFactory api)
{
    [Fact]
    public async Task A_city_screen_opened_after_its_wards_reported_shows_their_district_and_not_the_wards()
    {
        var tag = Tag();
        var (district, west, east) = ($"d-{tag}", $"w1-{tag}", $"w2-{tag}");
        await ImportAsync(api.Http,
            Area(district, "district", null, 100.0, 10.0, 100.2, 10.2),
            Area(west, "ward", district, 100.0, 10.0, 100.1, 10.2),
            Area(east, "ward", district, 100.1, 10.0, 100.2, 10.2),
            CountedSegment($"s1-{tag}", west, 100.03, 10.1),
            CountedSegment($"s2-{tag}", east, 100.13, 10.1));
        var token = api.Token(TwinRoles.Ioc);
        await using (var first = await LiveScreen.ConnectAsync(api, token))
        {
            var before = await first.Subscribe("city");
            Assert.Contains(before.Districts, d => d.Id == district);
        }

        // The wards' live updates reach the held state the next city screen is served from.
        await BurstAsync(api.Http, [$"s1-{tag}-counter", $"s2-{tag}-counter"], []);
        await using var screen = await LiveScreen.ConnectAsync(api, token);
        await Eventually.Until(() => api.Http.Get<DistrictView>($"/api/v1/areas/{east}"),
            w => w.Kpis.SensorsOnline.Value >= 1, because: "the east ward hears its counter");
        var snapshot = await screen.Subscribe("city");

        Assert.DoesNotContain(snapshot.Districts, d => d.Id == west || d.Id == east);
        var held = Assert.Single(snapshot.Districts, d => d.Id == district);
        Assert.Equal(("district", null), (held.Kind, held.ParentId));
        Assert.Equal(new[] { west, east }.Order(StringComparer.Ordinal), held.ChildIds!);
    }
}
