using System.Net;
using System.Text.Json;
using System.Net.Http.Json;
using IocTwin.Api.Access;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Sectors;

/// <summary>
/// A new sector added by configuration gets its sensors ingested, rolled up, scoped and shown, with no code change.
/// The bins live in one leaf area of Hải Châu next to a sample sensor there.
/// </summary>
[Collection(ConfiguredSectorCollection.Name)]
public sealed class ConfiguredSectorTests(WasteSectorTwin api) : IClassFixture<WasteSectorTwin>
{
    private HttpClient Ioc => api.Http;

    [Fact]
    public async Task Bins_of_the_waste_sector_are_ingested_rolled_up_alerted_and_seen_only_by_the_waste_OC()
    {
        // Anyone reads the catalogue the screens colour and name sectors from: the six defaults first, then the city's.
        using var anonymous = api.CreateClient();
        var sectors = await anonymous.Get<List<SectorDefinition>>("/api/v1/sectors");
        Assert.Equal(["traffic", "environment", "flood", "lighting", "water", "public-safety"], sectors.Take(6).Select(s => s.Id));
        var waste = sectors.Single(s => s.Id == "waste");
        Assert.Equal(("Rác thải", "Waste", "#8d6e63"), (waste.NameVi, waste.NameEn, waste.Colour));

        var neighbour = (await Ioc.Get<List<SensorView>>("/api/v1/areas/hai-chau/sensors")).First(s => s.Sector == Sector.Environment);
        var area = neighbour.DistrictId;
        foreach (var bin in new[] { "bin-hc-1", "bin-hc-2" })
        {
            var registered = await Ioc.PutJson($"/api/v1/sensors/{bin}", JsonSerializer.Serialize(new
            {
                name = bin, kind = "bin-fill", sector = "waste", location = new[] { neighbour.Location!.Value.Lon, neighbour.Location.Value.Lat }, districtId = area,
            }));
            Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        }

        // Its kind's range is the readings' range: a bin 140 % full is refused, naming the value and its range.
        await AssertOutOfRange(Reading("bin-hc-1", DateTimeOffset.UtcNow, new { fill = 140 }), "values.fill", "0 to 100 %");

        var now = DateTimeOffset.UtcNow;
        var accepted = await Ioc.PostReadings(Reading("bin-hc-1", now, new { fill = 40 }), Reading("bin-hc-2", now, new { fill = 95 }));
        Assert.True(accepted.IsSuccessStatusCode, await accepted.Content.ReadAsStringAsync());

        // Rolled up by the sector's KPI rule: the mean fill of its bins, in the area and in the city.
        var city = await Eventually.Until(() => Ioc.Get<CityView>("/api/v1/city"),
            c => c.Kpis.Rules?.GetValueOrDefault("bin-fill-mean")?.Count == 2, TimeSpan.FromSeconds(30), "the city's mean bin fill");
        Assert.Equal(67.5, city.Kpis.Rules!["bin-fill-mean"].Value);
        var leaf = await Ioc.Get<DistrictView>($"/api/v1/areas/{area}");
        Assert.Equal((67.5, 2), (leaf.Kpis.Rules!["bin-fill-mean"].Value, leaf.Kpis.Rules["bin-fill-mean"].Count));

        // The kind's default alert: the bin over 90 % raises one, in the waste sector.
        var alert = await Eventually.Until(() => Ioc.Get<List<AlertView>>("/api/v1/alerts?sector=waste"),
            a => a.Any(x => x.RuleId == "bin-full"), TimeSpan.FromSeconds(30), "the full bin's alert");
        Assert.Equal(("bin-hc-2", Sector.FromId("waste")), (alert.Single(x => x.RuleId == "bin-full").EntityId, alert.Single(x => x.RuleId == "bin-full").Sector));

        // A waste OC sees the bins and nothing else, over REST ...
        using var wasteOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["waste"]);
        var seen = await wasteOc.Get<List<SensorView>>($"/api/v1/areas/{area}/sensors");
        Assert.Equal(["bin-hc-1", "bin-hc-2"], seen.Select(s => s.Id).Order());
        Assert.Equal(HttpStatusCode.Forbidden, (await wasteOc.GetAsync($"/api/v1/sensors/{neighbour.Id}")).StatusCode);
        Assert.DoesNotContain(await wasteOc.Get<List<AlertView>>("/api/v1/alerts"), a => a.Sector != Sector.FromId("waste"));
        using var environmentOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["environment"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await environmentOc.GetAsync("/api/v1/sensors/bin-hc-1")).StatusCode);

        // ... and over the hub: its sector scope holds the bins, its total counts them, and a new reading streams to it.
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.SectorOc, sectors: ["waste"]));
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => screen.Subscribe("sector:environment"));
        var snapshot = await screen.Subscribe("sector:waste");
        Assert.Equal(["bin-hc-1", "bin-hc-2"], snapshot.Sensors.Select(s => s.Id).Order());
        Assert.Empty(snapshot.Segments);
        Assert.Equal(2, snapshot.City!.Kpis.SensorsOnline.Value);
        Assert.Equal(67.5, snapshot.City.Kpis.Rules!["bin-fill-mean"].Value);
        await Ioc.PostReadings(Reading("bin-hc-1", DateTimeOffset.UtcNow, new { fill = 55 }), Reading(neighbour.Id, DateTimeOffset.UtcNow, SampleReadings.ValuesFor(neighbour.Kind, 3)));
        await screen.WaitForDelta("sector:waste", d => d.Sensors.Any(s => s.Id == "bin-hc-1" && s.Values["fill"] == 55), "the bin's new fill reaches the waste OC");
        Assert.All(screen.Deltas, d => Assert.All(d.Sensors, s => Assert.Equal("waste", s.Sector.Id)));
    }

    [Theory]
    [InlineData(TwinRoles.Viewer)]
    [InlineData(TwinRoles.DistrictOc)]
    [InlineData(TwinRoles.SectorOc)]
    public async Task Only_the_IOC_changes_the_catalogue(string role)
    {
        using var caller = api.CreateClient(role, districts: ["hai-chau"], sectors: ["waste"]);
        var sectors = await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors");
        var kinds = await caller.Get<List<SensorKindDefinition>>("/api/v1/sensor-kinds");

        Assert.Equal(HttpStatusCode.Forbidden, (await caller.PutJson("/api/v1/sectors", Json(sectors))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await caller.PutJson("/api/v1/sensor-kinds", Json(kinds))).StatusCode);
    }

    [Fact]
    public async Task Bad_definitions_are_refused_naming_the_field_and_change_nothing()
    {
        var sectors = await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors");
        var kinds = await Ioc.Get<List<SensorKindDefinition>>("/api/v1/sensor-kinds");
        var binFill = kinds.Single(k => k.Id == "bin-fill");

        await AssertRefused("/api/v1/sensor-kinds", Json([.. kinds, binFill with { Id = "bin-weight", Sector = "sewage", Alert = null }]), $"[{kinds.Count}].sector");
        await AssertRefused("/api/v1/sensor-kinds",
            Json([.. kinds, binFill with { Id = "bin-weight", Values = [new("weight", "kg", 500, 0)], Alert = null }]), $"[{kinds.Count}].values[0].min");
        await AssertRefused("/api/v1/sectors", Json([.. sectors, sectors[^1] with { NameEn = "Waste again" }]), $"[{sectors.Count}].id");
        await AssertRefused("/api/v1/sensor-kinds", Json([.. kinds, binFill]), $"[{kinds.Count}].id");

        Assert.Equal(Json(sectors), Json(await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors")));
        Assert.Equal(Json(kinds), Json(await Ioc.Get<List<SensorKindDefinition>>("/api/v1/sensor-kinds")));
    }

    [Fact]
    public async Task A_sector_or_kind_still_in_use_is_not_removed_and_one_out_of_use_is()
    {
        var sectors = await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors");
        var kinds = await Ioc.Get<List<SensorKindDefinition>>("/api/v1/sensor-kinds");

        // Public safety has people counters registered (and its kind): removing it is a conflict, and nothing changes.
        var conflict = await Ioc.PutJson("/api/v1/sectors", Json([.. sectors.Where(s => s.Id != "public-safety")]));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("sensors", (await conflict.ReadObject())["detail"]!.GetValue<string>());
        var inUse = await Ioc.PutJson("/api/v1/sensor-kinds", Json([.. kinds.Where(k => k.Id != "people-counter")]));
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        Assert.Contains("public-safety", (await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors")).Select(s => s.Id));

        // A sector added by the IOC with a kind of its own: stored, listed, and its range enforced at once.
        var parks = new SectorDefinition("parks", "Công viên", "Parks", "#2e7d32");
        var soil = new SensorKindDefinition("soil-moisture", "parks", [new("moisture", "%", 0, 100)]);
        Assert.Equal(HttpStatusCode.OK, (await Ioc.PutJson("/api/v1/sectors", Json([.. sectors, parks]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Ioc.PutJson("/api/v1/sensor-kinds", Json([.. kinds, soil]))).StatusCode);
        Assert.Equal(["parks", "waste"], (await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors")).Skip(6).Select(s => s.Id));
        var neighbour = (await Ioc.Get<List<SensorView>>("/api/v1/areas/son-tra/sensors"))[0];
        var registered = await Ioc.PutJson("/api/v1/sensors/soil-st-1", JsonSerializer.Serialize(new
        {
            kind = "soil-moisture", sector = "parks", location = new[] { neighbour.Location!.Value.Lon, neighbour.Location.Value.Lat }, districtId = neighbour.DistrictId,
        }));
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        await AssertOutOfRange(Reading("soil-st-1", DateTimeOffset.UtcNow, new { moisture = 120 }), "values.moisture", "0 to 100 %");

        // Parks now has a sensor and a kind: removing it is a conflict.
        Assert.Equal(HttpStatusCode.Conflict, (await Ioc.PutJson("/api/v1/sectors", Json(sectors))).StatusCode);
    }

    [Fact]
    public async Task A_change_made_on_a_stale_copy_keeps_what_another_process_stored_and_If_Match_refuses_a_stale_version()
    {
        var read = await Ioc.GetAsync("/api/v1/sensor-kinds");
        var tag = read.Headers.ETag!;
        var kinds = await read.Content.ReadFromJsonAsync<List<SensorKindDefinition>>(IocTwin.Api.Json.TwinJson.Options);
        var sectors = await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors");
        var stale = SectorCatalog.Current;

        // A new kind stored through one API process ...
        var odour = new SensorKindDefinition("bin-odour", "waste", [new("odour", "ou", 0, 100)]);
        var added = await Ioc.PutJson("/api/v1/sensor-kinds", Json([.. kinds!, odour]));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.NotEqual(tag, added.Headers.ETag);

        // ... then new sectors through another that has not heard of it yet: the kind stays.
        SectorCatalog.Use(stale);
        var beach = new SectorDefinition("beaches", "Bãi biển", "Beaches", "#0288d1");
        Assert.Equal(HttpStatusCode.OK, (await Ioc.PutJson("/api/v1/sectors", Json([.. sectors, beach]))).StatusCode);
        Assert.Contains("bin-odour", (await Ioc.Get<List<SensorKindDefinition>>("/api/v1/sensor-kinds")).Select(k => k.Id));
        Assert.Contains("beaches", (await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors")).Select(s => s.Id));

        // A change made on the version first read is refused with 412, and changes nothing.
        var lost = new HttpRequestMessage(HttpMethod.Put, "/api/v1/sectors") { Content = JsonBody(Json(sectors)) };
        lost.Headers.IfMatch.Add(tag);
        var refused = await Ioc.SendAsync(lost);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Contains("beaches", (await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors")).Select(s => s.Id));

        // The version read last is the one to send: the change goes through.
        var current = await Ioc.GetAsync("/api/v1/sectors");
        var removeBeaches = new HttpRequestMessage(HttpMethod.Put, "/api/v1/sectors") { Content = JsonBody(Json(sectors)) };
        removeBeaches.Headers.IfMatch.Add(current.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await Ioc.SendAsync(removeBeaches)).StatusCode);
        Assert.DoesNotContain("beaches", (await Ioc.Get<List<SectorDefinition>>("/api/v1/sectors")).Select(s => s.Id));
    }

    private static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private async Task AssertOutOfRange(object reading, string field, string range)
    {
        var report = await (await Ioc.PostReadings(reading)).ReadObject();
        var rejection = Assert.Single(report["rejected"]!.AsArray())!;
        Assert.Equal(field, (string)rejection["field"]!);
        Assert.Contains(range, (string)rejection["error"]!);
        Assert.Equal(0, (int)report["accepted"]!);
    }

    private async Task AssertRefused(string path, string body, string field)
    {
        var response = await Ioc.PutJson(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    private static string Json<T>(IEnumerable<T> items) => JsonSerializer.Serialize(items, IocTwin.Api.Json.TwinJson.Options);
}

/// <summary>
/// The sector catalogue is per process, and every test host puts back the catalogue it found when it stops: a host
/// stopping while the waste twin runs would take the waste sector away from it. These tests run alone, after the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConfiguredSectorCollection
{
    public const string Name = "Configured sectors";
}
