using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Assets;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Api.TwinApiClient;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Assets;

/// <summary>Moving assets: areas from positions, OC streams and REST scoped by where an asset is, geofence alerts, bad positions.</summary>
[Collection(AssetsCollection.Name)]
public sealed class AssetsTests(AssetsTwinFactory api)
{
    private HttpClient Ioc => api.Http;

    // Each test's areas lie in a band of longitudes of their own, so one test's areas never hold another's positions.
    private const double CrossingLon = 120.0, GeofenceLon = 121.0, BadInputLon = 122.0, ScopeLon = 123.0, OutlineLon = 124.0, TrackLon = 125.0, SnapshotLon = 126.0, SectorLon = 127.0;

    private static async Task RegisterAsync(HttpClient ioc, string id, string kind = "ambulance")
    {
        var response = await ioc.PutJson($"/api/v1/assets/{id}", JsonSerializer.Serialize(new { name = $"Xe {id}", kind }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static object Position(string id, double lon, double lat, DateTimeOffset at, double speed = 40) =>
        new { id, lat, lon, heading = 90.0, speed, status = "en-route", timestamp = at.ToString("O") };

    private static Task<HttpResponseMessage> PostPositions(HttpClient http, params object[] items) =>
        http.PostJson("/api/v1/assets/positions", JsonSerializer.Serialize(items));

    private static async Task SendAsync(HttpClient ioc, params object[] items)
    {
        var response = await PostPositions(ioc, items);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_asset_crossing_from_one_ward_into_another_appears_in_the_second_wards_stream_and_leaves_the_firsts()
    {
        var tag = Tag();
        var (district, west, east) = await TwoWardsAsync(Ioc, tag, CrossingLon);
        var asset = $"amb-{tag}";
        await RegisterAsync(Ioc, asset);
        await using var westScreen = await AssetScreen.OpenAsync(api, api.Token(TwinRoles.DistrictOc, districts: [west]), $"area:{west}");
        await using var eastScreen = await AssetScreen.OpenAsync(api, api.Token(TwinRoles.DistrictOc, districts: [east]), $"area:{east}");
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);

        await SendAsync(Ioc, Position(asset, CrossingLon + 0.05, 10.1, start));
        await westScreen.WaitFor(f => f.Assets.Any(a => a.Id == asset && a.AreaId == west), "the asset is in the west ward");

        await SendAsync(Ioc, Position(asset, CrossingLon + 0.15, 10.1, start.AddSeconds(2)));
        await eastScreen.WaitFor(f => f.Assets.Any(a => a.Id == asset && a.AreaId == east), "the asset crossed into the east ward");
        await westScreen.WaitFor(f => f.Left.Contains(asset), "the asset left the west ward");

        // Neither ward's screen was ever sent the asset while it was in the other ward.
        Assert.All(westScreen.Frames.SelectMany(f => f.Assets).Where(a => a.Id == asset), a => Assert.Equal(west, a.AreaId));
        Assert.All(eastScreen.Frames.SelectMany(f => f.Assets).Where(a => a.Id == asset), a => Assert.Equal(east, a.AreaId));
        Assert.DoesNotContain(eastScreen.Frames, f => f.Left.Contains(asset));

        // In the areas' KPIs, at every level: the move between the two wards is no entry to, nor exit from, their district.
        async Task<(double?, double?)> MovesAsync(string area)
        {
            var kpis = (await Ioc.Get<DistrictView>($"/api/v1/areas/{area}")).Kpis;
            return (kpis.AssetsEntered?.Value, kpis.AssetsLeft?.Value);
        }
        await Eventually.Until(() => MovesAsync(east), m => m == (1, 0), TimeSpan.FromSeconds(15), "the east ward counts the asset entering");
        Assert.Equal((1.0, 1.0), await MovesAsync(west));
        Assert.Equal((1.0, 0.0), await MovesAsync(district));
        // Kept in the areas' KPI history too.
        await Eventually.Until(() => KpiHistoryAsync(Ioc, east), buckets => buckets.Any(b => (double?)b!["values"]!["assetsEntered"]?["max"] == 1),
            TimeSpan.FromSeconds(20), "the east ward's KPI history holds the entry");
        await Eventually.Until(() => KpiHistoryAsync(Ioc, west), buckets => buckets.Any(b => (double?)b!["values"]!["assetsLeft"]?["max"] == 1),
            TimeSpan.FromSeconds(20), "the west ward's KPI history holds the exit");

        var counts = await Ioc.Get<List<AreaAssetCount>>("/api/v1/assets/areas");
        Assert.Equal(new AreaAssetCount(west, 0, 1, 1), counts.Single(c => c.AreaId == west));
        Assert.Equal(new AreaAssetCount(east, 1, 1, 0), counts.Single(c => c.AreaId == east));
    }

    [Fact]
    public async Task A_screen_subscribing_sees_the_assets_its_scope_covers_in_its_snapshot_before_they_report_again()
    {
        var tag = Tag();
        var (_, west, east) = await TwoWardsAsync(Ioc, tag, SnapshotLon);
        var (ambulance, bus) = ($"amb-{tag}", $"bus-{tag}");
        await RegisterAsync(Ioc, ambulance);
        await RegisterAsync(Ioc, bus, "bus");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        await SendAsync(Ioc, Position(ambulance, SnapshotLon + 0.05, 10.1, at), Position(bus, SnapshotLon + 0.15, 10.1, at));

        // This test's assets in a snapshot of the scope as its OC opens it, once the positions sent are in.
        async Task<List<string>> ShownAsync(string token, string scope, Func<List<string>, bool> settled)
        {
            return await Eventually.Until(async () =>
            {
                await using var screen = await LiveScreen.ConnectAsync(api, token);
                var assets = (await screen.Subscribe(scope)).Assets ?? [];
                return assets.Select(a => a.Id).Where(id => id.EndsWith(tag, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            }, settled, TimeSpan.FromSeconds(15), $"the snapshot of {scope} shows where the assets are");
        }
        var westOc = api.Token(TwinRoles.DistrictOc, districts: [west]);
        var eastOc = api.Token(TwinRoles.DistrictOc, districts: [east]);
        Assert.Equal([ambulance], await ShownAsync(westOc, $"area:{west}", ids => ids.Count > 0));
        Assert.Equal([bus], await ShownAsync(eastOc, $"area:{east}", ids => ids.Count > 0));
        Assert.Equal([bus], await ShownAsync(api.Token(TwinRoles.SectorOc, sectors: ["traffic"]), "sector:traffic", ids => ids.Count > 0));
        Assert.Equal([ambulance], await ShownAsync(api.Token(TwinRoles.SectorOc, sectors: ["public-safety"]), "sector:public-safety", ids => ids.Count > 0));
        Assert.Equal([ambulance, bus], await ShownAsync(api.Token(TwinRoles.Ioc), "city", ids => ids.Count > 1));

        // The ambulance crosses into the east ward: the next snapshots show it there, and no longer in the west.
        await SendAsync(Ioc, Position(ambulance, SnapshotLon + 0.16, 10.1, at.AddSeconds(2)));
        Assert.Equal([ambulance, bus], await ShownAsync(eastOc, $"area:{east}", ids => ids.Count > 1));
        Assert.Empty(await ShownAsync(westOc, $"area:{west}", ids => ids.Count == 0));
    }

    [Fact]
    public async Task An_asset_registered_again_to_another_sector_leaves_the_old_sectors_open_screens_and_snapshots_and_joins_the_new_ones()
    {
        var tag = Tag();
        await TwoWardsAsync(Ioc, tag, SectorLon);
        var asset = $"van-{tag}";
        await RegisterAsync(Ioc, asset);
        await SendAsync(Ioc, Position(asset, SectorLon + 0.05, 10.1, DateTimeOffset.UtcNow.AddMinutes(-1)));
        var safetyOc = api.Token(TwinRoles.SectorOc, sectors: ["public-safety"]);
        var trafficOc = api.Token(TwinRoles.SectorOc, sectors: ["traffic"]);

        async Task<List<string>> ShownAsync(string token, string scope, Func<List<string>, bool> settled) =>
            await Eventually.Until(async () =>
            {
                await using var screen = await LiveScreen.ConnectAsync(api, token);
                var assets = (await screen.Subscribe(scope)).Assets ?? [];
                return assets.Select(a => a.Id).Where(id => id.EndsWith(tag, StringComparison.Ordinal)).ToList();
            }, settled, TimeSpan.FromSeconds(15), $"the snapshot of {scope} shows the asset's sector");
        Assert.Equal([asset], await ShownAsync(safetyOc, "sector:public-safety", ids => ids.Count > 0));
        Assert.Empty(await ShownAsync(trafficOc, "sector:traffic", ids => ids.Count == 0));

        // Registered again as a bus, without a new position: its sector alone moves it between the OCs' screens, those
        // already open told at once (the old sector's in `left`), and the next snapshots.
        await using var safetyScreen = await AssetScreen.OpenAsync(api, safetyOc, "sector:public-safety");
        await using var trafficScreen = await AssetScreen.OpenAsync(api, trafficOc, "sector:traffic");
        await RegisterAsync(Ioc, asset, "bus");
        await trafficScreen.WaitFor(f => f.Assets.Any(a => a.Id == asset && a.Sector == Sector.Traffic), "the traffic screen is sent the bus");
        await safetyScreen.WaitFor(f => f.Left.Contains(asset), "the public-safety screen is told the asset left its sector");
        Assert.DoesNotContain(safetyScreen.Frames.SelectMany(f => f.Assets), a => a.Id == asset && a.Sector == Sector.Traffic);
        Assert.DoesNotContain(trafficScreen.Frames, f => f.Left.Contains(asset));
        Assert.Empty(await ShownAsync(safetyOc, "sector:public-safety", ids => ids.Count == 0));
        Assert.Equal([asset], await ShownAsync(trafficOc, "sector:traffic", ids => ids.Count > 0));
    }

    [Fact]
    public async Task Ward_OCs_see_an_asset_and_its_past_positions_on_REST_only_while_it_is_in_their_ward()
    {
        var tag = Tag();
        var (_, west, east) = await TwoWardsAsync(Ioc, tag, CrossingLon + 0.5);
        var asset = $"bus-{tag}";
        await RegisterAsync(Ioc, asset, "bus");
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        await SendAsync(Ioc, Position(asset, CrossingLon + 0.55, 10.1, start));
        await SendAsync(Ioc, Position(asset, CrossingLon + 0.65, 10.1, start.AddSeconds(2)));
        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        using var eastOc = api.CreateClient(TwinRoles.DistrictOc, districts: [east]);
        using var trafficOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["traffic"]);
        using var safetyOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["public-safety"]);

        // Out of scope answers as unknown does: the answer does not tell that the asset exists.
        Assert.Equal(HttpStatusCode.NotFound, (await westOc.GetAsync($"/api/v1/assets/{asset}")).StatusCode);
        Assert.Equal(east, (await eastOc.Get<AssetView>($"/api/v1/assets/{asset}")).AreaId);
        Assert.Equal(HttpStatusCode.OK, (await trafficOc.GetAsync($"/api/v1/assets/{asset}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await safetyOc.GetAsync($"/api/v1/assets/{asset}")).StatusCode);
        Assert.DoesNotContain(asset, (await westOc.Get<List<AssetView>>("/api/v1/assets")).Select(a => a.Id));
        Assert.Contains(asset, (await eastOc.Get<List<AssetView>>("/api/v1/assets")).Select(a => a.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync($"/api/v1/assets/nobody-{tag}")).StatusCode);

        var window = $"from={Uri.EscapeDataString(start.AddSeconds(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddSeconds(10).ToString("O"))}";
        var full = await Ioc.Get<AssetTrack>($"/api/v1/assets/{asset}/track?{window}");
        Assert.Equal([Math.Round(CrossingLon + 0.55, 6), Math.Round(CrossingLon + 0.65, 6)], full.Points.Select(p => Math.Round(p.Location.Lon, 6)));
        // Each ward's OC sees the part of the track inside its ward.
        Assert.Equal([Math.Round(CrossingLon + 0.55, 6)], (await westOc.Get<AssetTrack>($"/api/v1/assets/{asset}/track?{window}")).Points.Select(p => Math.Round(p.Location.Lon, 6)));
        Assert.Equal([Math.Round(CrossingLon + 0.65, 6)], (await eastOc.Get<AssetTrack>($"/api/v1/assets/{asset}/track?{window}")).Points.Select(p => Math.Round(p.Location.Lon, 6)));

        // Replay: where it was a second after its first report, as each ward's OC may see it.
        var at = $"/api/v1/assets/positions?at={Uri.EscapeDataString(start.AddSeconds(1).ToString("O"))}";
        Assert.Equal(west, (await westOc.Get<List<AssetAt>>(at)).Single(a => a.Id == asset).AreaId);
        Assert.DoesNotContain(asset, (await eastOc.Get<List<AssetAt>>(at)).Select(a => a.Id));
    }

    [Fact]
    public async Task A_geofence_alert_fires_once_per_entry_and_resolves_when_the_asset_leaves()
    {
        var tag = Tag();
        var (_, west, _) = await TwoWardsAsync(Ioc, tag, GeofenceLon);
        var fence = $"port-{tag}";
        var put = await Ioc.PutJson($"/api/v1/geofences/{fence}", JsonSerializer.Serialize(new
        {
            name = "Cảng cá", trigger = "enter", severity = "critical",
            polygon = new[] { new[] { GeofenceLon + 0.02, 10.02 }, new[] { GeofenceLon + 0.06, 10.02 }, new[] { GeofenceLon + 0.06, 10.06 }, new[] { GeofenceLon + 0.02, 10.06 } },
        }));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var asset = $"fire-{tag}";
        await RegisterAsync(Ioc, asset, "fire-engine");
        await using var westScreen = await AssetScreen.OpenAsync(api, api.Token(TwinRoles.DistrictOc, districts: [west]), $"area:{west}");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);

        async Task<List<AlertView>> AlertsAsync() => [.. (await Ioc.Get<List<AlertView>>($"/api/v1/alerts?district={west}")).Where(a => a.EntityId == asset)];

        await SendAsync(Ioc, Position(asset, GeofenceLon + 0.01, 10.04, at));
        Assert.Empty(await AlertsAsync());
        await SendAsync(Ioc, Position(asset, GeofenceLon + 0.03, 10.04, at.AddSeconds(2)));
        await SendAsync(Ioc, Position(asset, GeofenceLon + 0.04, 10.04, at.AddSeconds(4)));
        var raised = Assert.Single(await AlertsAsync());
        Assert.Equal((fence, AlertState.Raised, "critical", west), (raised.RuleId, raised.State, raised.Severity, raised.DistrictId));

        await SendAsync(Ioc, Position(asset, GeofenceLon + 0.08, 10.04, at.AddSeconds(6)));
        var resolved = Assert.Single(await AlertsAsync());
        Assert.Equal((raised.Id, AlertState.Resolved, "system"), (resolved.Id, resolved.State, resolved.ResolvedBy));

        // A second entry is a second alert, handled by operators like any other.
        await SendAsync(Ioc, Position(asset, GeofenceLon + 0.05, 10.05, at.AddSeconds(8)));
        var alerts = await AlertsAsync();
        Assert.Equal(2, alerts.Count);
        var second = alerts.Single(a => a.State == AlertState.Raised);
        var ack = await Ioc.PostAsync($"/api/v1/alerts/{second.Id}/ack", null);
        Assert.True(ack.IsSuccessStatusCode, await ack.Content.ReadAsStringAsync());
        await westScreen.WaitFor(f => f.Assets.Any(a => a.Id == asset), "the fire engine is on the ward's map");
    }

    [Fact]
    public async Task Bad_positions_are_refused_naming_the_field_and_change_nothing()
    {
        var tag = Tag();
        var (_, west, _) = await TwoWardsAsync(Ioc, tag, BadInputLon);
        var asset = $"svc-{tag}";
        await RegisterAsync(Ioc, asset, "service-vehicle");
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        await SendAsync(Ioc, Position(asset, BadInputLon + 0.05, 10.1, at));
        var before = await Ioc.Get<AssetView>($"/api/v1/assets/{asset}");

        (object Item, string Field)[] bad =
        [
            (new { id = asset, lat = 95.0, lon = BadInputLon + 0.15 }, "[1].lat"),
            (new { id = asset, lat = 10.1, lon = 181.0 }, "[1].lon"),
            (new { id = asset, lat = 10.1, lon = BadInputLon + 0.15, heading = 360.0 }, "[1].heading"),
            (new { id = asset, lat = 10.1, lon = BadInputLon + 0.15, speed = -3.0 }, "[1].speed"),
            (new { id = asset, lat = 10.1, lon = BadInputLon + 0.15, status = "EN ROUTE" }, "[1].status"),
            (new { id = asset, lat = 10.1, lon = BadInputLon + 0.15, timestamp = at.AddHours(2).ToString("O") }, "[1].timestamp"),
            (new { id = $"nobody-{tag}", lat = 10.1, lon = BadInputLon + 0.15 }, "[1].id"),
        ];
        foreach (var (item, field) in bad)
        {
            // The good first item is not taken either: a batch with a bad item changes nothing.
            var response = await PostPositions(Ioc, Position(asset, BadInputLon + 0.15, 10.1, at.AddSeconds(2)), item);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal([field], await response.ProblemFields());
        }
        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostPositions(anonymous, Position(asset, BadInputLon + 0.15, 10.1, at.AddSeconds(2)))).StatusCode);
        using var wardOc = api.CreateClient();
        wardOc.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(TwinRoles.DistrictOc, districts: [west]));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostPositions(wardOc, Position(asset, BadInputLon + 0.15, 10.1, at.AddSeconds(2)))).StatusCode);

        var after = await Ioc.Get<AssetView>($"/api/v1/assets/{asset}");
        Assert.Equal((before.Location, before.AreaId, before.Version), (after.Location, after.AreaId, after.Version));
        var track = await Ioc.Get<AssetTrack>($"/api/v1/assets/{asset}/track?from={Uri.EscapeDataString(at.AddSeconds(-1).ToString("O"))}");
        Assert.Single(track.Points);
        Assert.Equal(HttpStatusCode.Forbidden, (await wardOc.PutJson($"/api/v1/assets/{asset}", JsonSerializer.Serialize(new { name = "x", kind = "bus" }))).StatusCode);
    }

    [Fact]
    public async Task Geofence_rules_are_listed_only_to_those_who_may_see_their_area_and_ids_are_not_shared_with_sensors()
    {
        var tag = Tag();
        var (_, west, east) = await TwoWardsAsync(Ioc, tag, ScopeLon);
        var (westFence, eastFence, outsideFence) = ($"gw-{tag}", $"ge-{tag}", $"go-{tag}");
        await PutFenceAsync(Ioc, westFence, new { name = "Chợ", trigger = "enter", areaId = west });
        await PutFenceAsync(Ioc, eastFence, new { name = "Bến", trigger = "enter", polygon = Square(ScopeLon + 0.12, 10.05) });
        await PutFenceAsync(Ioc, outsideFence, new { name = "Biển", trigger = "enter", polygon = Square(ScopeLon + 0.5, 10.05) });
        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);

        var seen = (await westOc.Get<List<GeofenceRule>>("/api/v1/geofences")).Select(r => r.Id).ToList();
        Assert.Contains(westFence, seen);
        Assert.DoesNotContain(eastFence, seen);
        Assert.DoesNotContain(outsideFence, seen);
        Assert.Superset(new HashSet<string> { westFence, eastFence, outsideFence }, (await Ioc.Get<List<GeofenceRule>>("/api/v1/geofences")).Select(r => r.Id).ToHashSet());

        // An asset and a sensor never share an id, whichever came first.
        var sensor = $"aq-{tag}";
        var put = await Ioc.PutJson($"/api/v1/sensors/{sensor}", JsonSerializer.Serialize(new
        {
            name = "AQ", kind = "air-quality", sector = "environment", location = new[] { ScopeLon + 0.15, 10.1 }, districtId = east,
        }));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var clash = await Ioc.PutJson($"/api/v1/assets/{sensor}", JsonSerializer.Serialize(new { name = "Xe", kind = "ambulance" }));
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync($"/api/v1/assets/{sensor}")).StatusCode);
        var asset = $"amb-{tag}";
        await RegisterAsync(Ioc, asset);
        var reverse = await Ioc.PutJson($"/api/v1/sensors/{asset}", JsonSerializer.Serialize(new
        {
            name = "AQ", kind = "air-quality", sector = "environment", location = new[] { ScopeLon + 0.15, 10.1 }, districtId = east,
        }));
        Assert.Equal(HttpStatusCode.Conflict, reverse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync($"/api/v1/sensors/{asset}")).StatusCode);
    }

    [Fact]
    public async Task A_corrected_area_outline_places_later_positions_in_the_area_that_now_holds_them()
    {
        var tag = Tag();
        var (district, west, east) = await TwoWardsAsync(Ioc, tag, OutlineLon);
        var asset = $"van-{tag}";
        await RegisterAsync(Ioc, asset, "service-vehicle");
        var at = DateTimeOffset.UtcNow.AddMinutes(-30);
        await SendAsync(Ioc, Position(asset, OutlineLon + 0.07, 10.1, at));
        Assert.Equal(west, (await Ioc.Get<AssetView>($"/api/v1/assets/{asset}")).AreaId);

        // The edge between the wards moves west of the asset; the tree of areas stays as it was.
        await PutAreaAsync(Ioc, west, "ward", district, OutlineLon, OutlineLon + 0.05);
        await PutAreaAsync(Ioc, east, "ward", district, OutlineLon + 0.05, OutlineLon + 0.2);

        var report = 0;
        await Eventually.Until(async () =>
        {
            await SendAsync(Ioc, Position(asset, OutlineLon + 0.07, 10.1, at.AddSeconds(++report)));
            return (await Ioc.Get<AssetView>($"/api/v1/assets/{asset}")).AreaId;
        }, area => area == east, TimeSpan.FromSeconds(40), "positions in the corrected east ward are placed in it");
    }

    [Fact]
    public async Task A_ward_OC_is_not_shown_a_track_point_averaged_from_reports_on_both_sides_of_its_ward()
    {
        var tag = Tag();
        var (_, west, _) = await TwoWardsAsync(Ioc, tag, TrackLon);
        var asset = $"pol-{tag}";
        await RegisterAsync(Ioc, asset);
        // A six-day track has one bucket per 104 s: both reports, one in each ward, fall in the same bucket, whose mean lies in the west ward.
        var step = TimeSpan.FromSeconds(104);
        var now = DateTimeOffset.UtcNow;
        var first = DateTimeOffset.FromUnixTimeMilliseconds((now.AddMinutes(-10).ToUnixTimeMilliseconds() / (long)step.TotalMilliseconds) * (long)step.TotalMilliseconds).AddSeconds(1);
        await SendAsync(Ioc, Position(asset, TrackLon + 0.02, 10.1, first), Position(asset, TrackLon + 0.12, 10.1, first.AddSeconds(2)));
        var window = $"from={Uri.EscapeDataString(now.AddDays(-3).ToString("O"))}&to={Uri.EscapeDataString(now.AddDays(3).ToString("O"))}";

        var full = await Ioc.Get<AssetTrack>($"/api/v1/assets/{asset}/track?{window}");
        Assert.Equal(Math.Round(TrackLon + 0.07, 6), Math.Round(Assert.Single(full.Points).Location.Lon, 6));
        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        Assert.Empty((await westOc.Get<AssetTrack>($"/api/v1/assets/{asset}/track?{window}")).Points);
    }

    private static double[][] Square(double lon, double lat) =>
        [[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02], [lon, lat + 0.02]];

    private static async Task PutFenceAsync(HttpClient ioc, string id, object body)
    {
        var response = await ioc.PutJson($"/api/v1/geofences/{id}", JsonSerializer.Serialize(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task PutAreaAsync(HttpClient ioc, string id, string kind, string parentId, double west, double east)
    {
        var response = await ioc.PutJson($"/api/v1/areas/{id}", JsonSerializer.Serialize(new
        {
            name = $"Khu {id}", kind, parentId,
            boundary = new[] { new[] { west, 10.0 }, new[] { east, 10.0 }, new[] { east, 10.2 }, new[] { west, 10.2 } },
        }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
