using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IocTwin.Tests.Persistence;

/// <summary>
/// A synthetic city imported in many batches (rows written a transaction at a time, grains not activated), the silo
/// stopped, a new one started on the same database: every area, segment and sensor is there, in its place, and live.
/// </summary>
public sealed class TopologyImportTests
{
    [Fact]
    public Task Sqlite_holds_every_imported_entity_after_a_silo_restart() => ImportAndRestart(new()
    {
        ["Twin:Storage"] = "Sqlite",
        ["Twin:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "twin.db")}",
        ["Twin:Clustering"] = "Localhost",
    });

    [Fact]
    public async Task PostgreSql_holds_every_imported_entity_after_a_silo_restart() => await ImportAndRestart(new()
    {
        ["Twin:Storage"] = "PostgreSql",
        ["Twin:ConnectionString"] = await PostgresDatabase.FreshSchemaAsync("import"),
        ["Twin:Clustering"] = "AdoNet",
    });

    private static async Task ImportAndRestart(Dictionary<string, string?> settings)
    {
        settings["Twin:ClusterId"] = "import-" + Guid.NewGuid().ToString("N")[..8];
        settings["Twin:SeedSampleCity"] = "false";
        settings["Twin:RollupDelay"] = "00:00:00.050";
        // 3 districts, 120 segments, 700 sensors in batches of 100: a few dozen transactions.
        var city = SyntheticCityGenerator.Generate(new(3, 120, 700, Seed: 18));
        Assert.Contains(city.Sensors, s => s.SegmentId is null);
        Assert.Contains(city.Sensors, s => s.SegmentId is not null);

        using (var first = await PersistenceRoundTripTests.StartSilo(settings))
        {
            await TopologyImporter.ImportAsync(first.Services.GetRequiredService<IGrainFactory>(), city, batchSize: 100);
            await first.StopAsync();
        }

        using var second = await PersistenceRoundTripTests.StartSilo(settings);
        var grains = second.Services.GetRequiredService<IGrainFactory>();
        var known = await LiveTopology.KnownAsync(grains);
        Assert.Equal(city.Districts.Select(d => d.Id).Order(), known.Districts.Order());
        Assert.Equal(city.Segments.Select(s => s.Id).Order(), known.Segments.Order());
        Assert.Equal(city.Sensors.Select(s => s.Id).Order(), known.Sensors.Order());

        var segments = await Task.WhenAll(city.Segments.Select(s => grains.GetGrain<IRoadSegmentGrain>(s.Id).Get()));
        Assert.All(city.Segments.Zip(segments), pair =>
        {
            Assert.Equal(pair.First.Geometry, pair.Second!.Spec!.Geometry);
            Assert.Equal(pair.First with { Geometry = pair.Second.Spec.Geometry }, pair.Second.Spec);
            Assert.Equal(city.Sensors.Where(s => s.SegmentId == pair.First.Id).Select(s => s.Id).Order(), pair.Second.SensorIds!);
        });
        var sensors = await Task.WhenAll(city.Sensors.Select(s => grains.GetGrain<ISensorGrain>(s.Id).Get()));
        Assert.All(city.Sensors.Zip(sensors), pair =>
        {
            Assert.Equal((pair.First.DistrictId, pair.First.SegmentId, pair.First.Kind), (pair.Second!.DistrictId, pair.Second.SegmentId, pair.Second.Kind));
            Assert.Equal(0, pair.Second.ReadingCount);
        });
        foreach (var district in city.Districts)
        {
            var view = await grains.GetGrain<IDistrictGrain>(district.Id).Get();
            Assert.Equal<int?>(city.Segments.Count(s => s.DistrictId == district.Id), view!.SegmentCount);
            Assert.Equal<int?>(city.Sensors.Count(s => s.DistrictId == district.Id), view.SensorCount);
        }

        // Imported sensors are live: a reading reaches its district's KPIs through the restarted silo.
        var sensor = city.Sensors.First(s => s.SegmentId is not null);
        await grains.GetGrain<ISensorGrain>(sensor.Id).Record([new Reading(DateTimeOffset.UtcNow.AddSeconds(-1), new Dictionary<string, double>() { ["speed"] = 30, ["flow"] = 600 })]);
        await Eventually.Until(() => grains.GetGrain<IDistrictGrain>(sensor.DistrictId).Get(), d => d!.Kpis.SensorsOnline.Value >= 1);
        await second.StopAsync();
    }
}
