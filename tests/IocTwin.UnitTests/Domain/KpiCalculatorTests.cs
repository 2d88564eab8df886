using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class KpiCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 17, 30, 0, TimeSpan.Zero);

    private static SegmentSnapshot Segment(double lengthM, double? speed, LevelOfService? los, SegmentStatus status = SegmentStatus.Open,
        params SensorSnapshot[] sensors) =>
        new(Guid.NewGuid().ToString(), lengthM, status, new SegmentTraffic(null, speed, null, los, null, Now), sensors, 1);

    private static SensorSnapshot Sensor(SensorKind kind, DateTimeOffset? seen, string name = "x", double value = 0) =>
        new(Guid.NewGuid().ToString(), kind, Sector.Environment, seen, new Dictionary<string, double>() { [name] = value }, 1);

    [Fact]
    public void District_speed_is_length_weighted_and_congestion_counts_E_and_F_km()
    {
        var kpis = KpiCalculator.ForDistrict(
            [Segment(3000, 10, LevelOfService.F), Segment(1000, 50, LevelOfService.A), Segment(2000, 20, LevelOfService.E),
             Segment(5000, null, null, SegmentStatus.Closed)],
            [], openAlerts: 0, Now);

        Assert.Equal((3000 * 10 + 1000 * 50 + 2000 * 20) / 6000.0, kpis.MeanSpeedKmh.Value!.Value, 9);
        Assert.Equal(5.0, kpis.CongestedKm.Value);
        Assert.Equal(6.0, kpis.MonitoredKm.Value);
        Assert.Equal(Now, kpis.MeanSpeedKmh.AsOf);
    }

    [Fact]
    public void Worst_air_and_highest_water_come_from_live_sensors_only()
    {
        var kpis = KpiCalculator.ForDistrict(
            [Segment(1000, 30, LevelOfService.C, SegmentStatus.Open, Sensor(SensorKind.WaterLevel, Now, "level", 0.42))],
            [Sensor(SensorKind.AirQuality, Now, "aqi", 120), Sensor(SensorKind.AirQuality, Now.AddMinutes(-2), "aqi", 160),
             Sensor(SensorKind.AirQuality, Now.AddHours(-2), "aqi", 400), Sensor(SensorKind.Noise, Now.AddMinutes(-8)), Sensor(SensorKind.Noise, null)],
            openAlerts: 0, Now);

        Assert.Equal(160, kpis.WorstAqi.Value);
        Assert.Equal(Now.AddMinutes(-2), kpis.WorstAqi.AsOf);
        Assert.Equal(0.42, kpis.MaxWaterLevelM.Value);
        Assert.Equal(3, kpis.SensorsOnline.Value);
        Assert.Equal(1, kpis.SensorsStale.Value);
        Assert.Equal(2, kpis.SensorsOffline.Value);
    }

    [Fact]
    public void District_without_data_reports_unknown_speed()
    {
        var kpis = KpiCalculator.ForDistrict([], [], openAlerts: 0, Now);

        Assert.Null(kpis.MeanSpeedKmh.Value);
        Assert.Null(kpis.WorstAqi.Value);
        Assert.Equal(0, kpis.CongestedKm.Value);
    }

    [Fact]
    public void City_sums_counts_takes_worst_values_and_weights_speed_by_monitored_km()
    {
        var a = KpiCalculator.ForDistrict([Segment(4000, 20, LevelOfService.E)], [Sensor(SensorKind.AirQuality, Now, "aqi", 90)], 1, Now);
        var b = KpiCalculator.ForDistrict([Segment(1000, 45, LevelOfService.A)], [Sensor(SensorKind.AirQuality, Now, "aqi", 155)], 2, Now);

        var city = KpiCalculator.ForCity([a, b, DistrictKpis.Empty]);

        Assert.Equal((4 * 20 + 1 * 45) / 5.0, city.MeanSpeedKmh.Value!.Value, 9);
        Assert.Equal(4.0, city.CongestedKm.Value);
        Assert.Equal(155, city.WorstAqi.Value);
        Assert.Equal(2, city.SensorsOnline.Value);
        Assert.Equal(3, city.OpenAlerts.Value);
    }

    [Fact]
    public void Values_saved_before_ranges_were_enforced_neither_overflow_nor_lead_any_KPI()
    {
        // A speed and an AQI an older version let through, still held in a segment's and a sensor's saved state.
        var kpis = KpiCalculator.ForDistrict(
            [Segment(99_000, 1.7e308, LevelOfService.A), Segment(1000, 30, LevelOfService.C)],
            [Sensor(SensorKind.AirQuality, Now, "aqi", 1.7e308), Sensor(SensorKind.AirQuality, Now, "aqi", 80)],
            openAlerts: 0, Now);
        var city = KpiCalculator.ForCity([kpis, kpis]);

        Assert.Equal(30, kpis.MeanSpeedKmh.Value);
        Assert.Equal(80, kpis.WorstAqi.Value);
        Assert.Equal(30, city.MeanSpeedKmh.Value);
        Assert.All([kpis.MeanSpeedKmh, kpis.MonitoredKm, city.MeanSpeedKmh, city.WorstAqi, city.MonitoredKm],
            kpi => Assert.True(kpi.Value is null || double.IsFinite(kpi.Value.Value)));
    }

    [Fact]
    public void Each_sector_counts_its_own_sensors_and_alerts_and_only_traffic_counts_the_roads()
    {
        var counter = Sensor(SensorKind.TrafficCounter, Now, "speed", 12) with { Sector = Sector.Traffic };
        var water = Sensor(SensorKind.WaterLevel, Now.AddMinutes(-8), "level", 0.7) with { Sector = Sector.Flood };
        var air = Sensor(SensorKind.AirQuality, Now, "aqi", 180);

        var bySector = KpiCalculator.BySector(
            [Segment(2000, 12, LevelOfService.F, SegmentStatus.Open, counter, water)], [air],
            [Sector.Flood, Sector.Flood, Sector.Environment], Now);

        Assert.Equal([Sector.Traffic, Sector.Environment, Sector.Flood], bySector.Keys.Order());
        var traffic = bySector[Sector.Traffic];
        Assert.Equal((12.0, 2.0, 1.0, 0.0), (traffic.MeanSpeedKmh.Value, traffic.CongestedKm.Value, traffic.SensorsOnline.Value, traffic.OpenAlerts.Value));
        Assert.Null(traffic.WorstAqi.Value);
        var flood = bySector[Sector.Flood];
        Assert.Equal((0.0, 1.0, 0.7, 2.0), (flood.SensorsOnline.Value, flood.SensorsStale.Value, flood.MaxWaterLevelM.Value, flood.OpenAlerts.Value));
        Assert.Null(flood.MeanSpeedKmh.Value);
        Assert.Null(flood.CongestedKm.Value);
        var environment = bySector[Sector.Environment];
        Assert.Equal((180.0, 1.0), (environment.WorstAqi.Value, environment.OpenAlerts.Value));
        Assert.Null(environment.MonitoredKm.Value);

        // The sectors share nothing: added up as districts are into the city, they make the district's own KPIs.
        var whole = KpiCalculator.ForDistrict([Segment(2000, 12, LevelOfService.F, SegmentStatus.Open, counter, water)], [air], openAlerts: 3, Now);
        var summed = KpiCalculator.ForCity(bySector.Values);
        Assert.Equal(
            (whole.MeanSpeedKmh.Value, whole.CongestedKm.Value, whole.WorstAqi.Value, whole.MaxWaterLevelM.Value, whole.SensorsOnline.Value, whole.SensorsStale.Value, whole.OpenAlerts.Value),
            (summed.MeanSpeedKmh.Value, summed.CongestedKm.Value, summed.WorstAqi.Value, summed.MaxWaterLevelM.Value, summed.SensorsOnline.Value, summed.SensorsStale.Value, summed.OpenAlerts.Value));
    }
}
