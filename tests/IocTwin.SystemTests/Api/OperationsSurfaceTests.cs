using System.Net;
using System.Net.Http.Headers;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>Production with the product's own defaults for the feed and the operations surface, the sample city loaded.</summary>
public sealed class DefaultProductionTwin() : ProductionTwinHost(seedSampleCity: true)
{
    protected override IReadOnlyDictionary<string, string?> Changes => new Dictionary<string, string?>
    {
        ["Feed:Enabled"] = null,
        // Were the feed on, every sensor would report each second.
        ["Feed:SensorPeriod"] = "00:00:01",
    };
}

public sealed class OperationsSurfaceTests(DefaultProductionTwin api) : IClassFixture<DefaultProductionTwin>
{
    public static TheoryData<string> OperationsPaths =>
        ["/dashboard", "/dashboard/DashboardCounters", "/dashboard/Trace", "/metrics", "/openapi/v1.json"];

    [Theory]
    [MemberData(nameof(OperationsPaths))]
    public async Task Without_a_token_the_operations_surface_is_401_and_with_a_viewer_token_403(string path)
    {
        using var anonymous = api.CreateClient();
        using var viewer = api.CreateClient(TwinRoles.Viewer);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(path, HttpCompletionOption.ResponseHeadersRead)).StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/", "html")]
    [InlineData("/dashboard/DashboardCounters", "json")]
    [InlineData("/metrics", "# TYPE")]
    [InlineData("/openapi/v1.json", "/api/v1/readings")]
    public async Task With_an_IOC_token_the_operations_surface_answers(string path, string expected)
    {
        var response = await Eventually.Until(() => api.Http.GetAsync(path), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20));

        var body = (response.Content.Headers.ContentType?.MediaType ?? "") + await response.Content.ReadAsStringAsync();
        Assert.Contains(expected, body);
    }

    [Fact]
    public async Task Without_the_setting_production_runs_no_synthetic_feed()
    {
        var sensors = await api.Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        var posted = sensors.First(s => s.Kind == SensorKind.TrafficCounter);

        // The one reading the test sends shows the count would move; with a feed every sensor's would.
        Assert.Equal(HttpStatusCode.Accepted, (await api.Http.PostReadings(Reading(posted.Id, DateTimeOffset.UtcNow, new { speed = 30, flow = 300 }))).StatusCode);
        await Eventually.Until(() => api.Http.Get<SensorView>($"/api/v1/sensors/{posted.Id}"), s => s.ReadingCount == 1, TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(4));

        var after = await api.Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        Assert.Equal(1, after.Single(s => s.Id == posted.Id).ReadingCount);
        Assert.All(after.Where(s => s.Id != posted.Id), s => Assert.Equal(0, s.ReadingCount));
    }
}

/// <summary>
/// The API process as an operator runs it with an operations port: Production, Urls listing the public and the
/// operations address, Twin:Operations:Port naming the latter.
/// </summary>
public sealed class OperationsPortTwin : IAsyncLifetime
{
    private readonly string _signingKey = TestSecrets.New();
    private TwinProcess? _process;

    public int PublicPort { get; } = TestPorts.Free();

    public int OperationsPort { get; } = TestPorts.Free();

    public async Task InitializeAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"));
        _process = TwinProcess.Api("api", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{PublicPort};http://127.0.0.1:{OperationsPort}",
            ["Twin:Operations:Port"] = OperationsPort.ToString(),
            ["Twin:ConnectionString"] = $"Data Source={Path.Combine(data, "twin.db")}",
            ["Twin:SiloPort"] = TestPorts.Free().ToString(),
            ["Twin:GatewayPort"] = TestPorts.Free().ToString(),
            ["Twin:SeedSampleCity"] = "false",
            ["Auth:SigningKey"] = _signingKey,
        });
        using var probe = Anonymous(PublicPort);
        await Eventually.Until(async () =>
        {
            try
            {
                return (await probe.GetAsync("/health/live")).StatusCode;
            }
            catch (HttpRequestException) when (!_process.HasExited)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the API answers");
    }

    public string IocToken() =>
        new TokenIssuer(Microsoft.Extensions.Options.Options.Create(new AuthOptions { SigningKey = _signingKey }), TimeProvider.System)
            .Issue("ops", TwinRoles.Ioc, [], [], TimeSpan.FromHours(1));

    public HttpClient Anonymous(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };

    public Task DisposeAsync()
    {
        _process?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class OperationsPortTests(OperationsPortTwin api) : IClassFixture<OperationsPortTwin>
{
    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    public async Task The_operations_port_serves_the_surface_without_a_token_and_the_public_port_does_not(string path)
    {
        using var operations = api.Anonymous(api.OperationsPort);
        using var outside = api.Anonymous(api.PublicPort);
        using var spoofing = api.Anonymous(api.PublicPort);
        spoofing.DefaultRequestHeaders.Host = $"127.0.0.1:{api.OperationsPort}";

        Assert.Equal(HttpStatusCode.OK, (await operations.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await outside.GetAsync(path)).StatusCode);
        // The port is the connection's, not the Host header the caller writes.
        Assert.Equal(HttpStatusCode.Unauthorized, (await spoofing.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task The_operations_port_opens_nothing_else()
    {
        using var operations = api.Anonymous(api.OperationsPort);

        Assert.Equal(HttpStatusCode.Unauthorized, (await operations.GetAsync("/api/v1/city")).StatusCode);
    }

    [Fact]
    public async Task On_the_public_port_an_IOC_token_still_opens_the_surface()
    {
        using var ioc = api.Anonymous(api.PublicPort);
        ioc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.IocToken());

        Assert.Equal(HttpStatusCode.OK, (await ioc.GetAsync("/metrics")).StatusCode);
    }
}
