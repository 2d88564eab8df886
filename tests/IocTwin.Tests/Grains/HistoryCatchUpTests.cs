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
        var history = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<ReadingHistory>();
        var now = DateTimeOffset.UtcNow;
        // Stored and acknowledged, but the silo went down before the grain applied them.
        await history.AppendAsync([
            (city.AirId, new Reading(now.AddSeconds(-20), new() { ["aqi"] = 120 })),
            (city.AirId, new Reading(now.AddSeconds(-10), new() { ["aqi"] = 140 })),
            (city.AirId, new Reading(now.AddSeconds(-30), new() { ["aqi"] = 999 })),
        ]);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var sensor = await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Get();
        Assert.Equal(3, sensor!.ReadingCount);
        Assert.Equal(140, sensor.LastReading!.Values["aqi"]);
        await Eventually.Until(() => fixture.Grains.GetGrain<IDistrictGrain>(city.DistrictId).Get(), d => d!.Kpis.WorstAqi.Value == 140);
    }

    [Fact]
    public async Task A_batch_the_grain_already_caught_up_on_is_not_counted_twice()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var history = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<ReadingHistory>();
        var reading = new Reading(DateTimeOffset.UtcNow, new() { ["aqi"] = 77 });
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // The usual path: stored first, then delivered; the delivery activates the grain, which catches up first.
        var committed = await history.AppendAsync([(city.AirId, reading)]);
        await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Record([reading], committed);

        Assert.Equal(1, (await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Get())!.ReadingCount);
    }
}
