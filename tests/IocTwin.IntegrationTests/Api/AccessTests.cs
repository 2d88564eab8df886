using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class AccessTests(TwinApiFactory api)
{
    private HttpClient Ioc => api.Http;

    [Fact]
    public async Task A_district_OC_reads_its_own_district_and_is_refused_the_rest()
    {
        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["thanh-khe"]);
        var (_, ownCounter) = await Ioc.CountedSegment("thanh-khe");
        var (otherSegment, otherCounter) = await Ioc.CountedSegment("hai-chau");

        var own = await oc.Get<DistrictView>("/api/v1/districts/thanh-khe");
        Assert.Equal("Thanh Khê", own.Name);
        Assert.Equal(ownCounter.Id, (await oc.Get<SensorView>($"/api/v1/sensors/{ownCounter.Id}")).Id);
        var sensors = await oc.Get<List<SensorView>>("/api/v1/districts/thanh-khe/sensors");
        Assert.Equal((await Ioc.Get<List<SensorView>>("/api/v1/districts/thanh-khe/sensors")).Count, sensors.Count);
        Assert.NotEmpty(await oc.Get<List<SegmentView>>("/api/v1/districts/thanh-khe/segments"));
        var listed = await oc.Get<List<DistrictView>>("/api/v1/districts");
        Assert.Equal(["thanh-khe"], listed.Select(d => d.Id));

        foreach (var path in new[]
        {
            "/api/v1/city", "/api/v1/districts/hai-chau", "/api/v1/districts/hai-chau/sensors", "/api/v1/districts/hai-chau/segments",
            $"/api/v1/sensors/{otherCounter.Id}", $"/api/v1/segments/{otherSegment.Spec!.Id}",
        })
        {
            var response = await oc.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_district_OC_of_two_districts_lists_both()
    {
        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["cam-le", "hoa-vang"]);

        var listed = await oc.Get<List<DistrictView>>("/api/v1/districts");

        Assert.Equal(["cam-le", "hoa-vang"], listed.Select(d => d.Id).Order());
        Assert.Equal(HttpStatusCode.OK, (await oc.GetAsync("/api/v1/districts/hoa-vang/sensors")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/districts/son-tra")).StatusCode);
    }

    [Fact]
    public async Task A_sector_OC_sees_only_the_sensors_of_its_sectors()
    {
        using var oc = api.CreateClient(TwinRoles.SectorOc, sectors: ["environment", "flood"]);
        var everything = await Ioc.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");

        var sensors = await oc.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");

        var expected = everything.Where(s => s.Sector == Sector.Environment || s.Sector == Sector.Flood).Select(s => s.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < everything.Count);
        Assert.Equal(expected, sensors.Select(s => s.Id).Order());
        var air = sensors.First(s => s.Kind == SensorKind.AirQuality);
        Assert.Equal(HttpStatusCode.OK, (await oc.GetAsync($"/api/v1/sensors/{air.Id}")).StatusCode);
        var counter = everything.First(s => s.Sector == Sector.Traffic);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync($"/api/v1/sensors/{counter.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/districts/hai-chau/segments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/city")).StatusCode);
        // The districts' outlines and KPIs frame a sector OC's map: KPIs of its own sectors' sensors, not every sector's.
        var area = await oc.Get<DistrictView>("/api/v1/districts/hai-chau");
        Assert.Equal(expected.Count, Counted(area.Kpis));
        Assert.Equal(everything.Count, Counted((await Ioc.Get<DistrictView>("/api/v1/districts/hai-chau")).Kpis));
        Assert.Equal(expected.Count, Counted((await oc.Get<List<DistrictView>>("/api/v1/areas")).Single(a => a.Id == "hai-chau").Kpis));
        Assert.Equal(
            (await Ioc.Get<List<DistrictView>>("/api/v1/districts")).Select(d => d.Id).Order(),
            (await oc.Get<List<DistrictView>>("/api/v1/districts")).Select(d => d.Id).Order());
    }

    private static double Counted(DistrictKpis kpis) =>
        (kpis.SensorsOnline.Value ?? 0) + (kpis.SensorsStale.Value ?? 0) + (kpis.SensorsOffline.Value ?? 0);

    [Fact]
    public async Task A_viewer_reads_everything_and_changes_nothing()
    {
        using var viewer = api.CreateClient(TwinRoles.Viewer);

        var city = await viewer.Get<CityView>("/api/v1/city");
        Assert.Equal((await Ioc.Get<CityView>("/api/v1/city")).Districts!.Select(d => d.Id).Order(), city.Districts!.Select(d => d.Id).Order());
        Assert.Contains("hoa-vang", city.Districts!.Select(d => d.Id));
        Assert.Equal(
            (await Ioc.Get<List<DistrictView>>("/api/v1/districts")).Select(d => d.Id).Order(),
            (await viewer.Get<List<DistrictView>>("/api/v1/districts")).Select(d => d.Id).Order());
        var sensors = await viewer.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        Assert.Equal((await Ioc.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors")).Count, sensors.Count);
        Assert.NotEmpty(await viewer.Get<List<SegmentView>>("/api/v1/districts/son-tra/segments"));

        var put = await viewer.PutJson("/api/v1/sensors/x",
            """{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "districtId": "hai-chau" }""");
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        var import = await viewer.PostJson("/api/v1/import", """{ "type": "FeatureCollection", "features": [] }""");
        Assert.Equal(HttpStatusCode.Forbidden, import.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync("/api/v1/sensors/x")).StatusCode);
    }

    [Theory]
    [InlineData(TwinRoles.DistrictOc)]
    [InlineData(TwinRoles.SectorOc)]
    public async Task Only_the_IOC_changes_topology(string role)
    {
        using var oc = api.CreateClient(role, districts: ["hai-chau"], sectors: ["environment"]);

        var put = await oc.PutJson("/api/v1/sensors/oc-noise",
            """{ "kind": "noise", "sector": "environment", "location": [108.2, 16.05], "districtId": "hai-chau" }""");

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Ioc.GetAsync("/api/v1/sensors/oc-noise")).StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/city")]
    [InlineData("/api/v1/districts")]
    [InlineData("/api/v1/districts/hai-chau/sensors")]
    [InlineData("/api/v1/sensors/sen-tc-001")]
    public async Task Without_a_token_reads_are_401(string path)
    {
        using var anonymous = api.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var issuer = new TokenIssuer(
            Microsoft.Extensions.Options.Options.Create(new AuthOptions { SigningKey = "another-signing-key-0123456789-0123456789-xyz" }),
            TimeProvider.System);
        using var forged = api.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            issuer.Issue("mallory", TwinRoles.Ioc, [], [], TimeSpan.FromHours(1)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/city")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("test-ingest-key-and-more")]
    public async Task Readings_without_a_valid_ingest_key_are_401_and_change_nothing(string? key)
    {
        var (_, counter) = await Ioc.CountedSegment("son-tra");
        var before = await Ioc.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        using var client = api.CreateClient();
        // Even the IOC's own token is no ingest key.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token(TwinRoles.Ioc));
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, key);
        }

        var response = await client.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 3, flow = 3 }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AccessExtensions.ApiKeyHeader, (string?)(await response.ReadObject())["field"]);
        // A valid batch after it: had the refused one been taken, the count would be two up.
        var accepted = await Ioc.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 41, flow = 410 }));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var after = await Ioc.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(before.ReadingCount + 1, after.ReadingCount);
        Assert.Equal(41, after.LastReading!.Values["speed"]);
    }

    [Fact]
    public async Task In_development_the_token_endpoint_issues_tokens_that_work()
    {
        using var anonymous = api.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/v1/dev/token", new { role = "district-oc", districts = new[] { "cam-le" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObject();
        Assert.Equal("district-oc", (string?)body["role"]);
        Assert.True(DateTimeOffset.Parse((string)body["expiresAt"]!) > DateTimeOffset.UtcNow.AddHours(11));
        using var oc = api.CreateClient();
        oc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)body["token"]!);
        Assert.Equal("cam-le", (await oc.Get<DistrictView>("/api/v1/districts/cam-le")).Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/districts/hai-chau")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/city")).StatusCode);

        var viewer = await (await anonymous.PostAsJsonAsync("/api/v1/dev/token", new { role = "viewer" })).ReadObject();
        using var screen = api.CreateClient();
        screen.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)viewer["token"]!);
        Assert.True((await screen.Get<CityView>("/api/v1/city")).Districts!.Count >= 7);
    }

    [Theory]
    [InlineData("""{ "role": "mayor" }""", "role")]
    [InlineData("""{ }""", "role")]
    [InlineData("""{ "role": "district-oc" }""", "districts")]
    [InlineData("""{ "role": "sector-oc", "sectors": ["sewage"] }""", "sectors")]
    [InlineData("""{ "role": "viewer", "lifetimeHours": 1000 }""", "lifetimeHours")]
    [InlineData("""{ "role": "viewer", "lifetimeHours": 0 }""", "lifetimeHours")]
    [InlineData("""{ "role": "viewer", "lifetimeHours": 2147483647 }""", "lifetimeHours")]
    [InlineData("""{ "role": "viewer", "lifetimeHours": -2147483648 }""", "lifetimeHours")]
    public async Task The_token_endpoint_rejects_a_bad_request_naming_the_field(string json, string field)
    {
        using var anonymous = api.CreateClient();

        var response = await anonymous.PostJson("/api/v1/dev/token", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ProblemFields());
    }
}

/// <summary>The API as deployed: Production environment, a configured signing key, no sample city needed.</summary>
public sealed class ProductionTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:SeedSampleCity"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }

    public override Task InitializeAsync()
    {
        StartServer();
        Http = CreateClient(TwinRoles.Ioc);
        return Task.CompletedTask;
    }
}

public sealed class ProductionAccessTests(ProductionTwinApiFactory api) : IClassFixture<ProductionTwinApiFactory>
{
    [Fact]
    public async Task Outside_development_there_is_no_token_endpoint_but_issued_tokens_work()
    {
        using var anonymous = api.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/v1/dev/token", new { role = "ioc" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/city")).StatusCode);
    }
}
