using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Areas;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// An API process reads the state it holds for city screens at start, so its first city screen is copied from memory:
/// on a twin of its own, whose held state no other test's screens have filled.
/// </summary>
public sealed class HeldStateFillTests(HeldStateFillTests.OwnTwin api) : IClassFixture<HeldStateFillTests.OwnTwin>
{
    public sealed class OwnTwin : TwinApiFactory;

    private HeldTwin Held => api.Services.GetRequiredService<HeldTwin>();

    [Fact]
    public async Task Once_ready_every_area_is_held_and_the_first_city_screen_reads_no_grain_again()
    {
        // Ready (the fixture waited for it) without any screen having subscribed: every area is held already.
        var areas = await api.Http.Get<List<DistrictView>>("/api/v1/areas");
        Assert.True(Held.IsFilled);
        Assert.Equal(areas.Count, Held.HeldDistricts);
        var readsBefore = Held.DistrictsRead;

        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await screen.Subscribe("city");

        Assert.Equal(readsBefore, Held.DistrictsRead);
        await AssertWholeCityAsync(snapshot);
    }

    [Fact]
    public async Task A_city_screen_opened_while_the_held_state_fills_waits_for_that_fill_instead_of_reading_again()
    {
        var areas = await api.Http.Get<List<DistrictView>>("/api/v1/areas");
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        Held.Forget();
        var readsBefore = Held.DistrictsRead;

        var fill = Held.FillAsync();
        var snapshot = await screen.Subscribe("city");
        await fill;

        // Each area read once, by whichever of the two came first; the other waited for that read.
        Assert.Equal(areas.Count, Held.DistrictsRead - readsBefore);
        Assert.Equal(areas.Count, Held.HeldDistricts);
        await AssertWholeCityAsync(snapshot);
    }

    [Fact]
    public async Task A_city_imported_after_start_is_held_in_the_background_before_any_city_screen_asks_for_it()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (area, segment) = ($"late-{tag}", $"late-road-{tag}");
        var imported = await api.Http.PostJson("/api/v1/import", System.Text.Json.JsonSerializer.Serialize(new
        {
            type = "FeatureCollection",
            features = new object[]
            {
                new
                {
                    type = "Feature", properties = new { type = "district", id = area, name = $"Quận {tag}" },
                    geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { 107.0, 11.0 }, new[] { 107.1, 11.0 }, new[] { 107.1, 11.1 }, new[] { 107.0, 11.1 }, new[] { 107.0, 11.0 } } } },
                },
                new
                {
                    type = "Feature", properties = new { type = "segment", id = segment, districtId = area, name = "Đường mới", fromNode = $"{tag}-a", toNode = $"{tag}-b" },
                    geometry = new { type = "LineString", coordinates = new[] { new[] { 107.02, 11.05 }, new[] { 107.04, 11.05 } } },
                },
            },
        }));
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        var areas = await api.Http.Get<List<DistrictView>>("/api/v1/areas");

        // No screen asked: the process reads the new area on its own.
        await Eventually.Until(() => Task.FromResult(Held.HeldDistricts), held => held == areas.Count, TimeSpan.FromSeconds(20),
            "the imported area is held without a city screen asking for it");
        var readsBefore = Held.DistrictsRead;
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await screen.Subscribe("city");

        Assert.Equal(readsBefore, Held.DistrictsRead);
        Assert.Contains(snapshot.Segments, s => s.Id == segment && s.Spec is not null);
        await AssertWholeCityAsync(snapshot);
    }

    [Fact]
    public async Task An_imported_city_is_held_as_it_was_stored_without_activating_its_segments_and_sensors()
    {
        var tag = AreaCities.Tag();
        var area = $"stored-{tag}";
        var segments = Enumerable.Range(1, 6).Select(i => $"stored-{tag}-s{i}").ToList();
        var (changesBefore, readsBefore) = (Held.Changes, Held.DistrictsRead);
        await AreaCities.ImportAsync(api.Http,
            [AreaCities.Area(area, "district", null, 106.0, 12.0, 106.1, 12.1), .. segments.Select((id, i) => AreaCities.CountedSegment(id, area, 106.005 + 0.012 * i, 12.05))]);
        var areas = await api.Http.Get<List<DistrictView>>("/api/v1/areas");
        await Eventually.Until(() => Task.FromResult(Held.HeldDistricts), held => held == areas.Count, TimeSpan.FromSeconds(20),
            "the imported area is held without a city screen asking for it");

        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await screen.Subscribe("city");

        // Held from what the import stored: not one of its segment or sensor grains was activated to read it.
        var grains = api.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        var active = (await management.GetActiveGrains(grains.GetGrain<ISensorGrain>("any").GetGrainId().Type))
            .Concat(await management.GetActiveGrains(grains.GetGrain<IRoadSegmentGrain>("any").GetGrainId().Type))
            .Select(id => id.Key.ToString()).ToList();
        // Every one found is named, with the changes told and areas read since the import began (the import tells one).
        var woken = active.Where(id => id.StartsWith(area, StringComparison.Ordinal)).ToList();
        Assert.True(woken.Count == 0,
            $"active: {string.Join(", ", woken)}; changes told {Held.Changes - changesBefore}, areas read {Held.DistrictsRead - readsBefore}");
        // And held as the grains answer once asked (which activates them).
        foreach (var segment in segments)
        {
            AssertSame(await api.Http.Get<SegmentView>($"/api/v1/segments/{segment}"), Assert.Single(snapshot.Segments, s => s.Id == segment));
            AssertSame(await api.Http.Get<SensorView>($"/api/v1/sensors/{segment}-counter"), Assert.Single(snapshot.Sensors, s => s.Id == $"{segment}-counter"));
        }
        await AssertWholeCityAsync(snapshot);
    }

    [Fact]
    public async Task Views_an_import_stored_are_not_held_for_an_area_changed_since_they_were_taken()
    {
        var topology = api.Services.GetRequiredService<TopologyChanges>();
        var storedSince = topology.ChangesSoFar;
        var id = $"changed-{AreaCities.Tag()}";
        // Registered through PUT while (say) an import of the same sensor was being stored.
        var put = await api.Http.PutJson($"/api/v1/sensors/{id}",
            $$"""{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "districtId": "hai-chau", "name": "as put" }""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var registered = await api.Http.Get<SensorView>($"/api/v1/sensors/{id}");
        // Counted newer than what the process holds, so only leaving it out keeps the name as put.
        var stale = registered with { Name = "as imported", ReadingCount = registered.ReadingCount + 1 };

        await topology.AnnounceAsync(["hai-chau"], treeChanged: false, stored: new([], [], [stale]), storedSince: storedSince);
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await screen.Subscribe("city");

        Assert.Equal("as put", Assert.Single(snapshot.Sensors, s => s.Id == id).Name);
    }

    private static void AssertSame<T>(T live, T held) =>
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(live), System.Text.Json.JsonSerializer.Serialize(held));

    private async Task AssertWholeCityAsync(ScopeSnapshot snapshot)
    {
        var districts = await api.Http.Get<List<DistrictView>>("/api/v1/districts");
        Assert.Equal(districts.Sum(d => d.SensorCount), snapshot.Sensors.Count);
        Assert.Equal(districts.Sum(d => d.SegmentCount), snapshot.Segments.Count);
        Assert.All(snapshot.Segments, s => Assert.NotNull(s.Spec));
    }
}
