using System.Net.Http.Json;
using IocTwin.Api.Json;
using IocTwin.Model;
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
        ["Feed:Enabled"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient Http { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        StartServer();
        Http = CreateClient();
        await Eventually.Until(
            () => Http.GetFromJsonAsync<CityView>("/api/v1/city", TwinJson.Options)!,
            city => city!.Districts.Count >= 7,
            TimeSpan.FromSeconds(60),
            "the Da Nang sample is loaded");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        Http?.Dispose();
        await DisposeAsync();
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
