using System.Net;
using System.Net.Sockets;
using IocTwin.Api.Access;
using IocTwin.Grains;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IocTwin.Benchmarks.Harness;

/// <summary>
/// The twin as it runs by default: the API with its embedded silo (localhost clustering) on a Kestrel loopback port,
/// grain state in SQLite through ADO.NET, product defaults for rollup and write-behind. The sample city and the
/// synthetic feed are off so the benchmark controls every topology change and every reading.
/// </summary>
public sealed class TwinHost : WebApplicationFactory<Program>
{
    // Made for each run: a key written in the repository is published, and the twin refuses it outside Development.
    public static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(36));
    public static readonly string IngestApiKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(36));

    private readonly Dictionary<string, string?> _settings;

    private TwinHost(string databaseFile, IReadOnlyDictionary<string, string?> extraSettings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Twin:ConnectionString"] = $"Data Source={databaseFile}",
            ["Twin:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Twin:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Twin:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Twin:SeedSampleCity"] = "false",
            ["Feed:Enabled"] = "false",
            ["Auth:SigningKey"] = SigningKey,
            ["Auth:IngestApiKeys:0"] = IngestApiKey,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            // The twin's log goes to standard error with the progress; standard output carries only the report.
            ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
        };
        foreach (var (key, value) in extraSettings)
        {
            _settings[key] = value;
        }
        UseKestrel(0);
    }

    /// <summary>Starts a twin on the given SQLite file (created when missing) and waits until its silo answers.</summary>
    public static async Task<TwinHost> StartAsync(string databaseFile, IReadOnlyDictionary<string, string?> extraSettings)
    {
        var host = new TwinHost(databaseFile, extraSettings);
        try
        {
            host.StartServer();
            var city = host.Grains.GetGrain<ICityGrain>(CityGrainKey.Id);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await city.Get();
                    return host;
                }
                catch (Exception) when (attempt < 50)
                {
                    await Task.Delay(200);
                }
            }
        }
        catch
        {
            // A host that did not come up goes, rather than run on beside the next attempt.
            await host.DisposeAsync();
            throw;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The API project's folder, for its appsettings.json; WebApplicationFactory looks for the manifest naming it
        // in the current directory only, which `dotnet run --project` does not make the output folder.
        builder.UseContentRoot(ApiContentRoot());
        builder.UseEnvironment(Environments.Production);
        // Sixty thousand grains write their pending state when the silo stops; give them time.
        builder.UseShutdownTimeout(TimeSpan.FromMinutes(3));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>
    /// Waits until the API process holds the state its snapshots copy (read in the background once the process hears
    /// the live updates), so that the read's transient memory and grain calls stay out of what follows.
    /// </summary>
    public async Task WaitForHeldStateAsync(TimeSpan limit)
    {
        var held = Get<IocTwin.Api.Streaming.HeldTwin>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!held.IsFilled)
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"The held state was not read within {limit}");
            }
            await Task.Delay(100);
        }
    }

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The Kestrel address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>An HTTP client of the real loopback server, carrying the ingest key.</summary>
    public HttpClient CreateIngestClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, IngestApiKey);
        return client;
    }

    /// <summary>A token of the city IOC, which may subscribe to any scope.</summary>
    public string IocToken() => Get<TokenIssuer>().Issue("benchmark", TwinRoles.Ioc, [], [], TimeSpan.FromHours(4));

    private static string ApiContentRoot()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
        var name = typeof(Program).Assembly.GetName().FullName;
        return json.RootElement.GetProperty(name).GetString()!;
    }

    /// <summary>A TCP port free on loopback now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
