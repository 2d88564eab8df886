using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace IocTwin.Tests.Grains;

[Collection(TwinClusterCollection.Name)]
public sealed class SensorGrainTests(TwinClusterFixture fixture)
{
    private static Reading At(DateTimeOffset time, string name, double value) => new(time, new Dictionary<string, double>() { [name] = value });

    [Fact]
    public async Task Late_reading_is_counted_but_never_replaces_a_newer_one()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var sensor = fixture.Grains.GetGrain<ISensorGrain>(city.AirId);
        var now = DateTimeOffset.UtcNow;

        await sensor.Record([At(now, "aqi", 90)]);
        await sensor.Record([At(now.AddMinutes(-5), "aqi", 300)]);

        var view = await sensor.Get();
        Assert.NotNull(view);
        Assert.Equal(90, view.LastReading!.Values["aqi"]);
        Assert.Equal(now, view.LastReading.Timestamp);
        Assert.Equal(2, view.ReadingCount);
        Assert.Equal(SensorHealth.Online, view.Health);
    }

    [Fact]
    public async Task Newest_reading_in_a_batch_wins_whatever_its_position()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var sensor = fixture.Grains.GetGrain<ISensorGrain>(city.AirId);
        var now = DateTimeOffset.UtcNow;

        await sensor.Record([At(now, "aqi", 50), At(now.AddSeconds(-30), "aqi", 70), At(now.AddSeconds(-60), "aqi", 60)]);

        Assert.Equal(50, (await sensor.Get())!.LastReading!.Values["aqi"]);
    }

    [Fact]
    public async Task A_reading_is_written_behind_once_the_delay_has_passed_while_the_sensor_stays_active()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var sensor = fixture.Grains.GetGrain<ISensorGrain>(city.AirId);
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name);
        async Task<SensorState> Stored()
        {
            var stored = new GrainState<SensorState>(new SensorState());
            await storage.ReadStateAsync("sensor", sensor.GetGrainId(), stored);
            return stored.State!;
        }

        await sensor.Record([At(DateTimeOffset.UtcNow, "aqi", 77)]);

        // The silo's write-behind schedule writes it after the delay (200 ms here), with no deactivation to flush it.
        var written = await Eventually.Until(Stored, s => s.LastReading?.Values.GetValueOrDefault("aqi") == 77, TimeSpan.FromSeconds(10),
            "the reading is written behind");
        Assert.Equal(1, written.ReadingCount);
        Assert.Equal(1, (await sensor.Get())!.ReadingCount);
    }

    [Fact]
    public async Task Unknown_sensor_takes_no_reading()
    {
        var sensor = fixture.Grains.GetGrain<ISensorGrain>($"nobody-{Guid.NewGuid():N}");

        await sensor.Record([At(DateTimeOffset.UtcNow, "aqi", 50)]);

        Assert.Null(await sensor.Get());
        Assert.False(await sensor.IsRegistered());
    }

    [Fact]
    public async Task A_sensor_never_heard_from_is_offline()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);

        var view = await fixture.Grains.GetGrain<ISensorGrain>(city.CounterId).Get();

        Assert.Equal(SensorHealth.Offline, view!.Health);
        Assert.Null(view.LastReading);
    }

    [Fact]
    public async Task Moving_a_sensor_to_another_segment_removes_it_from_the_first()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var other = city.Segment with { Id = city.SegmentId + "-b", FromNode = city.Segment.ToNode, ToNode = city.Segment.ToNode + "-b" };
        await fixture.Grains.GetGrain<IRoadSegmentGrain>(other.Id).Register(other);
        var counter = (await fixture.Grains.GetGrain<ISensorGrain>(city.CounterId).Get())!;

        await fixture.Grains.GetGrain<ISensorGrain>(city.CounterId).Register(
            new SensorSpec(counter.Id, counter.Kind, counter.Sector, counter.Location!.Value, counter.DistrictId, other.Id, null));

        Assert.DoesNotContain(city.CounterId, (await fixture.Grains.GetGrain<IRoadSegmentGrain>(city.SegmentId).Get())!.SensorIds!);
        Assert.Contains(city.CounterId, (await fixture.Grains.GetGrain<IRoadSegmentGrain>(other.Id).Get())!.SensorIds!);
    }
}
