using System.Net.Http.Headers;
using System.Net.Http.Json;
using IocTwin.Api.Access;
using Microsoft.Extensions.DependencyInjection;
using IocTwin.Api.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// The API with its embedded silo on a real Kestrel port on loopback, storing to a fresh SQLite file,
/// seeded with the Da Nang sample, feed off so tests control every reading.
/// </summary>
public class TwinApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"));

    public TwinApiFactory() => UseKestrel(0);

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Twin:ConnectionString"] = $"Data Source={Path.Combine(DataDirectory, "twin.db")}",
        ["Twin:SiloPort"] = TestPorts.Free().ToString(),
        ["Twin:GatewayPort"] = TestPorts.Free().ToString(),
        ["Twin:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
        ["Twin:RollupDelay"] = "00:00:00.050",
        // A small city: its dashboard samples every 5 s, so what the dashboard shows comes within the tests' waits.
        ["Twin:Dashboard:CounterUpdateIntervalMs"] = "5000",
        ["Feed:Enabled"] = "false",
        ["Auth:SigningKey"] = SigningKey,
        ["Auth:IngestApiKeys:0"] = IngestApiKey,
    };

    public static readonly string SigningKey = TestSecrets.New();
    public static readonly string IngestApiKey = TestSecrets.New();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient Http { get; protected set; } = null!;

    /// <summary>
    /// The catalogue of sectors is per process (<see cref="IocTwin.Domain.SectorCatalog.Current"/>): what a host configured
    /// or stored is put back when it is disposed, so it does not leak into the next host of this test process.
    /// </summary>
    private IocTwin.Domain.SectorCatalog? _catalogBefore;

    public virtual async Task InitializeAsync()
    {
        _catalogBefore = IocTwin.Domain.SectorCatalog.Current;
        StartServer();
        Http = CreateClient(TwinRoles.Ioc);
        // Readiness waits for the sample city to be fully loaded (ReadinessTests checks that it does).
        await Eventually.Until(
            async () => (await Http.GetAsync("/health/ready")).StatusCode,
            status => status == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(60),
            "the twin is ready");
    }

    /// <summary>A client carrying a token of the given role and scope, and the ingest API key.</summary>
    public HttpClient CreateClient(string role, string[]? districts = null, string[]? sectors = null)
    {
        var client = CreateClient();
        var token = Services.GetRequiredService<TokenIssuer>().Issue("test", role, districts ?? [], sectors ?? [], TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, IngestApiKey);
        return client;
    }

    public string Token(string role, string[]? districts = null, string[]? sectors = null) =>
        Services.GetRequiredService<TokenIssuer>().Issue("test", role, districts ?? [], sectors ?? [], TimeSpan.FromHours(1));

    async Task IAsyncLifetime.DisposeAsync()
    {
        Http?.Dispose();
        await DisposeAsync();
        if (_catalogBefore is not null)
        {
            IocTwin.Domain.SectorCatalog.Use(_catalogBefore);
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp folder is cleaned by the OS.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwinApiCollection : ICollectionFixture<TwinApiFactory>
{
    public const string Name = "twin api";
}
