using System.Net;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Topology;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// A twin holding a generated city (no sample), with small streaming buffers and a short stall limit, so that a screen
/// that stops reading falls behind within seconds; every log line is kept for the tests to read.
/// </summary>
public sealed class GeneratedCityTwinApiFactory : TwinApiFactory
{
    public static readonly TimeSpan MaxStall = TimeSpan.FromSeconds(5);

    public CitySpec City { get; } = SyntheticCityGenerator.Generate(new SyntheticCityOptions(Districts: 8, Segments: 400, Sensors: 2_000, Seed: 7));

    public LogCapture Log { get; } = new("");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:SeedSampleCity"] = "false",
        ["Streaming:OutboxCapacity"] = "1",
        ["Streaming:ConnectionBufferBytes"] = "1024",
        ["Streaming:MaxFramesPerSecond"] = "20",
        ["Streaming:MaxStall"] = MaxStall.ToString(),
        ["Streaming:CloseGrace"] = "00:00:25",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Log));
        // A small kernel send buffer (accepted sockets inherit the listener's), so that frames a frozen screen does
        // not read back up into the server within a second rather than filling megabytes on loopback first.
        builder.ConfigureServices(services => services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = 32 * 1024;
            return socket;
        }));
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await TopologyImporter.ImportAsync(Services.GetRequiredService<IGrainFactory>(), City);
    }

    /// <summary>Posts readings for a share of the city's sensors every few milliseconds until disposed.</summary>
    public ReadingFeed Feed(IEnumerable<SensorSpec> sensors, int perPost = 200) => new(Http, [.. sensors], perPost);
}

[CollectionDefinition(Name)]
public sealed class GeneratedCityCollection : ICollectionFixture<GeneratedCityTwinApiFactory>
{
    public const string Name = "twin api with a generated city";
}

/// <summary>A steady feed of plausible readings, sweeping the given sensors, as a field gateway would post them.</summary>
public sealed class ReadingFeed : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public ReadingFeed(HttpClient http, List<SensorSpec> sensors, int perPost)
    {
        _running = Task.Run(async () =>
        {
            for (var round = 0; !_stop.IsCancellationRequested; round++)
            {
                var now = DateTimeOffset.UtcNow;
                var batch = Enumerable.Range(round * perPost, perPost).Select(i => sensors[i % sensors.Count])
                    .Select(s => TwinApiClient.Reading(s.Id, now, SampleReadings.ValuesFor(s.Kind, round))).ToArray();
                var response = await http.PostReadings(batch);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                await Task.Delay(25);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }
}
