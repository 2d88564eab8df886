using IocTwin.Grains;
using IocTwin.Hosting;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IocTwin.Tests.Persistence;

/// <summary>Write through a real silo, stop it, start a new one on the same database, read everything back.</summary>
public sealed class PersistenceRoundTripTests
{
    [Fact]
    public Task Sqlite_returns_every_grains_state_after_a_silo_restart()
    {
        var file = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "twin.db");
        return RoundTrip(new()
        {
            ["Twin:Storage"] = "Sqlite",
            ["Twin:ConnectionString"] = $"Data Source={file}",
            ["Twin:Clustering"] = "Localhost",
        });
    }

    [Fact]
    public Task PostgreSql_returns_every_grains_state_after_a_silo_restart() => RoundTrip(new()
    {
        ["Twin:Storage"] = "PostgreSql",
        ["Twin:ConnectionString"] = PostgresDatabase.ConnectionString,
        ["Twin:Clustering"] = "AdoNet",
    });

    private static async Task RoundTrip(Dictionary<string, string?> settings)
    {
        settings["Twin:ClusterId"] = "roundtrip-" + Guid.NewGuid().ToString("N")[..8];
        settings["Twin:SeedSampleCity"] = "false";
        settings["Twin:RollupDelay"] = "00:00:00.050";
        // Far beyond the test's length: only deactivation on shutdown can have written the live values.
        settings["Twin:PersistDelay"] = "00:10:00";

        TestCity city;
        var time = DateTimeOffset.UtcNow.AddSeconds(-1);
        // A stored TNTP network: its files and its place in the index, as POST /api/v1/networks keeps them.
        var network = new TntpNetworkSummary("net-roundtrip01", "Sioux Falls", 24, 76, 24, 360_600, true, 18_237, time, "ioc-user");
        var files = new TntpFiles("<NUMBER OF ZONES> 24 …", "Origin 1 …", null, "From To Volume Cost …");
        using (var first = await StartSilo(settings))
        {
            var grains = first.Services.GetRequiredService<IGrainFactory>();
            city = await TestCity.RegisterAsync(grains);
            await grains.GetGrain<ISensorGrain>(city.CounterId).Record([new Reading(time, new Dictionary<string, double>() { ["speed"] = 12, ["flow"] = 2100 })]);
            await grains.GetGrain<ISensorGrain>(city.AirId).Record([new Reading(time, new Dictionary<string, double>() { ["aqi"] = 161 })]);
            await grains.GetGrain<ITntpNetworkGrain>(network.Id).Store(network, files);
            Assert.True(await grains.GetGrain<ITntpNetworkIndexGrain>(0).Add(network, 20));
            await Eventually.Until(() => grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get(),
                c => c.Districts!.Any(d => d.Id == city.DistrictId && d.Kpis.WorstAqi.Value == 161 && d.Kpis.CongestedKm.Value > 0));
            await first.StopAsync();
        }

        using var second = await StartSilo(settings);
        var again = second.Services.GetRequiredService<IGrainFactory>();

        var counter = await again.GetGrain<ISensorGrain>(city.CounterId).Get();
        Assert.NotNull(counter);
        Assert.Equal(12, counter.LastReading!.Values["speed"]);
        Assert.Equal(time, counter.LastReading.Timestamp);
        Assert.Equal(1, counter.ReadingCount);
        Assert.Equal(city.SegmentId, counter.SegmentId);

        var segment = await again.GetGrain<IRoadSegmentGrain>(city.SegmentId).Get();
        Assert.Equal(city.Segment.Name, segment!.Spec!.Name);
        Assert.Equal(city.Segment.Geometry, segment.Spec!.Geometry);
        Assert.Equal([city.CounterId, city.WaterId], segment.SensorIds!.Order(StringComparer.Ordinal));
        Assert.Equal(LevelOfService.F, segment.Traffic.Los);

        var district = await again.GetGrain<IDistrictGrain>(city.DistrictId).Get();
        Assert.Equal("Hải Châu test", district!.Name);
        Assert.Equal(161, district.Kpis.WorstAqi.Value);
        Assert.Equal(city.Segment.LengthM / 1000, district.Kpis.CongestedKm.Value!.Value, 6);
        var members = await again.GetGrain<IDistrictGrain>(city.DistrictId).GetMembers();
        Assert.Equal([city.AirId, city.CounterId, city.WaterId], members.SensorIds);

        var cityView = await again.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
        var persisted = Assert.Single(cityView.Districts!, d => d.Id == city.DistrictId);
        Assert.Equal(161, persisted.Kpis.WorstAqi.Value);

        Assert.Equal(network, await again.GetGrain<ITntpNetworkIndexGrain>(0).Find(network.Id));
        Assert.Equal(files, await again.GetGrain<ITntpNetworkGrain>(network.Id).Files());
        await second.StopAsync();
    }

    internal static async Task<IHost> StartSilo(Dictionary<string, string?> settings)
    {
        settings["Twin:SiloPort"] = TestPorts.Free().ToString();
        settings["Twin:GatewayPort"] = TestPorts.Free().ToString();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddIocTwinSilo();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
