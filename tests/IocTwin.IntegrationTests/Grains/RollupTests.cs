using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Grains;

[Collection(TwinClusterCollection.Name)]
public sealed class RollupTests(TwinClusterFixture fixture)
{
    private Task<DistrictView?> District(TestCity city) => fixture.Grains.GetGrain<IDistrictGrain>(city.DistrictId).Get();

    private Task Post(string sensorId, params (string Name, double Value)[] values) =>
        fixture.Grains.GetGrain<ISensorGrain>(sensorId).Record(
            [new Reading(DateTimeOffset.UtcNow, values.ToDictionary(v => v.Name, v => v.Value))]);

    [Fact]
    public async Task Slow_traffic_makes_the_segment_level_F_and_counts_as_congested_km_in_district_and_city()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);

        await Post(city.CounterId, ("speed", 9), ("flow", 2000));

        await Eventually.Until(() => fixture.Grains.GetGrain<IRoadSegmentGrain>(city.SegmentId).Get(), s => s!.Traffic.Los == LevelOfService.F);
        var district = await Eventually.Until(() => District(city), d => d!.Kpis.CongestedKm.Value > 0);
        Assert.Equal(city.Segment.LengthM / 1000, district!.Kpis.CongestedKm.Value!.Value, 6);
        Assert.Equal(9, district.Kpis.MeanSpeedKmh.Value!.Value, 6);
        Assert.NotNull(district.Kpis.MeanSpeedKmh.AsOf);

        var cityView = await Eventually.Until(
            () => fixture.Grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get(),
            c => c.Districts!.Any(d => d.Id == city.DistrictId && d.Kpis.CongestedKm.Value > 0));
        Assert.True(cityView.Kpis.CongestedKm.Value >= city.Segment.LengthM / 1000);

        // Traffic clears: the district stops counting the segment.
        await Post(city.CounterId, ("speed", 48), ("flow", 900));
        district = await Eventually.Until(() => District(city), d => d!.Kpis.CongestedKm.Value == 0);
        Assert.Equal(LevelOfService.A, (await fixture.Grains.GetGrain<IRoadSegmentGrain>(city.SegmentId).Get())!.Traffic.Los);
        await Eventually.Until(
            () => fixture.Grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get(),
            c => c.Districts!.Single(d => d.Id == city.DistrictId).Kpis.CongestedKm.Value == 0);
        Assert.Equal(48, district!.Kpis.MeanSpeedKmh.Value!.Value, 6);
    }

    [Fact]
    public async Task Air_quality_and_water_level_roll_up_to_district_worst_values()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);

        await Post(city.AirId, ("aqi", 182), ("pm25", 95));
        await Post(city.WaterId, ("level", 0.45));

        var district = await Eventually.Until(
            () => District(city), d => d!.Kpis.WorstAqi.Value is not null && d.Kpis.MaxWaterLevelM.Value is not null);
        Assert.Equal(182, district!.Kpis.WorstAqi.Value);
        Assert.Equal(0.45, district.Kpis.MaxWaterLevelM.Value);
        Assert.Equal(2, district.Kpis.SensorsOnline.Value);
        Assert.Equal(1, district.Kpis.SensorsOffline.Value);

        // Each sector's own KPIs, for its OCs: the air is the environment's, the water the flood sector's, the silent
        // counter and the road the traffic sector's.
        var sectors = district.Sectors!;
        Assert.Equal((182.0, (double?)null, 1.0), (sectors[Sector.Environment].WorstAqi.Value, sectors[Sector.Environment].MaxWaterLevelM.Value,
            sectors[Sector.Environment].SensorsOnline.Value));
        Assert.Equal(((double?)null, 0.45, 1.0), (sectors[Sector.Flood].WorstAqi.Value, sectors[Sector.Flood].MaxWaterLevelM.Value,
            sectors[Sector.Flood].SensorsOnline.Value));
        Assert.Equal((0.0, 1.0), (sectors[Sector.Traffic].SensorsOnline.Value, sectors[Sector.Traffic].SensorsOffline.Value));
        Assert.Null(sectors[Sector.Traffic].WorstAqi.Value);
    }

    [Fact]
    public async Task Water_over_the_road_floods_an_open_segment()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);

        await Post(city.WaterId, ("level", 0.6));

        var segment = await Eventually.Until(
            () => fixture.Grains.GetGrain<IRoadSegmentGrain>(city.SegmentId).Get(), s => s!.Status != SegmentStatus.Open);
        Assert.Equal(SegmentStatus.Flooded, segment!.Status);
        Assert.Null(segment.Traffic.Los);
        Assert.Equal(SegmentStatus.Open, segment.Spec!.Status);
    }

    [Fact]
    public async Task A_burst_of_readings_reaches_the_district_as_a_few_batched_updates()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var before = (await District(city))!.Version;
        var sensor = fixture.Grains.GetGrain<ISensorGrain>(city.CounterId);

        for (var i = 0; i < 300; i++)
        {
            await sensor.Record([new Reading(DateTimeOffset.UtcNow, new Dictionary<string, double>() { ["speed"] = 20 + i % 20 })]);
        }

        var district = await Eventually.Until(() => District(city), d => d!.Kpis.MeanSpeedKmh.Value is not null);
        var updates = district!.Version - before;
        Assert.InRange(updates, 1, 150);
    }

    [Fact]
    public async Task A_sensor_that_falls_silent_is_sent_to_screens_again_as_its_health_ages()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var screens = new UpdateRecorder();
        var process = Guid.NewGuid();
        var registry = fixture.Grains.GetGrain<ITwinObserverRegistry>(0);
        await registry.Register(process, fixture.Grains.CreateObjectReference<ITwinObserver>(screens));
        // Readings until the publisher has the stand-in API process among its observers (it looks every few seconds).
        await Eventually.Until(async () =>
        {
            await Post(city.AirId, ("aqi", 90));
            return screens.Sensor(city.AirId);
        }, s => s?.Health == SensorHealth.Online, TimeSpan.FromSeconds(20), "the stand-in API process hears of the sensor");
        // The last readings posted may still be on their way up: the stale record below must follow all of them.
        var readings = (await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Get())!.ReadingCount;
        await Eventually.Until(() => Task.FromResult(screens.Sensor(city.AirId)), s => s?.ReadingCount == readings,
            TimeSpan.FromSeconds(20), "every reading posted reaches the stand-in API process");
        try
        {
            // Six minutes without a word: the district says so, with no new reading behind it.
            fixture.Clock.Advance(TimeSpan.FromMinutes(6));
            var stale = await Eventually.Until(() => Task.FromResult(screens.Sensor(city.AirId)), s => s?.Health == SensorHealth.Stale,
                TimeSpan.FromSeconds(20), "the silent sensor is sent again as stale");
            Assert.Equal((await fixture.Grains.GetGrain<ISensorGrain>(city.AirId).Get())!.ReadingCount, stale!.ReadingCount);
            Assert.Equal(90, stale.Values["aqi"]);
        }
        finally
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(-6));
            await registry.Unregister(process);
        }
    }

    /// <summary>Stands in for an API process: keeps the latest sensor records the twin pushes to screens.</summary>
    private sealed class UpdateRecorder : ITwinObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SensorView> _sensors = new();

        public SensorView? Sensor(string id) => _sensors.GetValueOrDefault(id);

        public Task OnUpdates(DistrictUpdate[] districts, CityView? city)
        {
            foreach (var sensor in districts.SelectMany(d => d.Sensors))
            {
                _sensors[sensor.Id] = sensor;
            }
            return Task.CompletedTask;
        }

        public Task OnScenario(ScenarioProgress progress) => Task.CompletedTask;

        public Task OnContextEntityChanges(ContextEntityChange[] changes) => Task.CompletedTask;

        public Task OnAssets(AssetUpdate[] assets) => Task.CompletedTask;

        public Task OnReport(ReportView report) => Task.CompletedTask;

        public Task OnTopologyChanged(TopologyChange change) => Task.CompletedTask;
    }
}
