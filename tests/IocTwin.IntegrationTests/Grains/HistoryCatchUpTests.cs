using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Grains;

/// <summary>An acknowledged reading is in history before any grain sees it; a grain that lost it catches up.</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class HistoryCatchUpTests(TwinClusterFixture fixture)
{
    [Fact]
    public async Task A_reactivated_sensor_applies_readings_history_holds_beyond_its_saved_state()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var history = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReadingHistory>();
        var now = DateTimeOffset.UtcNow;
        // Stored and acknowledged, but the silo went down before the grain applied them.
        await history.AppendAsync([
            (city.AirId, new Reading(now.AddSeconds(-20), new Dictionary<string, double>() { ["aqi"] = 120 })),
            (city.AirId, new Reading(now.AddSeconds(-10), new Dictionary<string, double>() { ["aqi"] = 140 })),
            (city.AirId, new Reading(now.AddSeconds(-30), new Dictionary<string, double>() { ["aqi"] = 999 })),
        ]);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var sensor = await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Get();
        Assert.Equal(3, sensor!.ReadingCount);
        Assert.Equal(140, sensor.LastReading!.Values["aqi"]);
        await Eventually.Until(() => fixture.Grains.GetGrain<IDistrictGrain>(city.DistrictId).Get(), d => d!.Kpis.WorstAqi.Value == 140);
    }

    [Fact]
    public async Task Sensors_reactivated_together_each_apply_exactly_the_readings_history_holds_for_them()
    {
        var cities = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => TestCity.RegisterAsync(fixture.Grains)));
        var history = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReadingHistory>();
        var now = DateTimeOffset.UtcNow;
        // Acknowledged and stored, never applied: the i-th air sensor has i + 1 readings, its counter none.
        await history.AppendAsync([.. cities.SelectMany((city, i) => Enumerable.Range(0, i + 1)
            .Select(k => (city.AirId, new Reading(now.AddSeconds(k - 20), new Dictionary<string, double>() { ["aqi"] = 100 + i * 10 + k }))))]);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var air = await Task.WhenAll(cities.Select(c => fixture.Grains.GetGrain<ISensorGrain>(c.AirId).Get()));
        var counters = await Task.WhenAll(cities.Select(c => fixture.Grains.GetGrain<ISensorGrain>(c.CounterId).Get()));

        Assert.Equal(Enumerable.Range(1, 8).Select(n => (long)n), air.Select(s => s!.ReadingCount));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => 100.0 + i * 11), air.Select(s => s!.LastReading!.Values["aqi"]));
        Assert.All(counters, s => Assert.Equal(0, s!.ReadingCount));
    }

    [Fact]
    public async Task A_batch_the_grain_already_caught_up_on_is_not_counted_twice()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var history = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReadingHistory>();
        var reading = new Reading(DateTimeOffset.UtcNow, new Dictionary<string, double>() { ["aqi"] = 77 });
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // The usual path: stored first, then delivered; the delivery activates the grain, which catches up first.
        var committed = await history.AppendAsync([(city.AirId, reading)]);
        await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Record([reading], committed);

        Assert.Equal(1, (await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Get())!.ReadingCount);
    }

    [Fact]
    public async Task Batches_from_two_API_processes_are_each_applied_once_whatever_their_clocks()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var sensor = fixture.Grains.GetGrain<ISensorGrain>(city.AirId);
        var now = DateTimeOffset.UtcNow;

        await sensor.Record([new Reading(now.AddSeconds(-2), new Dictionary<string, double>() { ["aqi"] = 60 })], new HistoryBatch(Writer: 1, CommittedMs: 2_000));
        // Another process, its clock a little behind: still new, still applied.
        await sensor.Record([new Reading(now.AddSeconds(-1), new Dictionary<string, double>() { ["aqi"] = 65 })], new HistoryBatch(Writer: 2, CommittedMs: 1_999));
        // A retried delivery of the first batch changes nothing.
        await sensor.Record([new Reading(now.AddSeconds(-2), new Dictionary<string, double>() { ["aqi"] = 60 })], new HistoryBatch(Writer: 1, CommittedMs: 2_000));

        var view = await sensor.Get();
        Assert.Equal(2, view!.ReadingCount);
        Assert.Equal(65, view.LastReading!.Values["aqi"]);
    }

    [Fact]
    public async Task A_sensor_remembers_the_batches_it_applied_across_activations()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var sensor = fixture.Grains.GetGrain<ISensorGrain>(city.AirId);
        var batch = new HistoryBatch(Writer: 7, CommittedMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var reading = new Reading(DateTimeOffset.UtcNow, new Dictionary<string, double>() { ["aqi"] = 50 });

        await sensor.Record([reading], batch);
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await sensor.Record([reading], batch);

        Assert.Equal(1, (await sensor.Get())!.ReadingCount);
    }
}
