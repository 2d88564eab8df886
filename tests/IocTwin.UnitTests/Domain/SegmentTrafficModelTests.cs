using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class SegmentTrafficModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static readonly SegmentSpec Road = new("s", "Lê Duẩn", "hai-chau", "a", "b", [new(108.2, 16.0), new(108.21, 16.0)],
        1000, 4, 3600, 50, SegmentStatus.Open, "arterial", false);

    private static SensorSnapshot Sensor(SensorKind kind, DateTimeOffset? seen, params (string, double)[] values) =>
        new(Guid.NewGuid().ToString(), kind, Sector.Traffic, seen, values.ToDictionary(v => v.Item1, v => v.Item2), 1);

    [Theory]
    [InlineData(45, LevelOfService.A)]
    [InlineData(40, LevelOfService.B)]
    [InlineData(30, LevelOfService.C)]
    [InlineData(22, LevelOfService.D)]
    [InlineData(17, LevelOfService.E)]
    [InlineData(10, LevelOfService.F)]
    public void Level_of_service_follows_speed_as_a_share_of_free_flow(double speed, LevelOfService expected)
    {
        var (_, traffic) = SegmentTrafficModel.Derive(Road, [Sensor(SensorKind.SpeedCamera, Now, ("speed", speed))], Now);

        Assert.Equal(expected, traffic.Los);
    }

    [Theory]
    [InlineData(1800, LevelOfService.A)]
    [InlineData(2700, LevelOfService.C)]
    [InlineData(3500, LevelOfService.E)]
    public void Level_of_service_is_the_worse_of_speed_and_demand(double flow, LevelOfService expected)
    {
        var (_, traffic) = SegmentTrafficModel.Derive(Road, [Sensor(SensorKind.TrafficCounter, Now, ("speed", 45), ("flow", flow))], Now);

        Assert.Equal(expected, traffic.Los);
    }

    [Fact]
    public void Demand_above_capacity_is_F_even_at_speed()
    {
        var (_, traffic) = SegmentTrafficModel.Derive(Road, [Sensor(SensorKind.TrafficCounter, Now, ("speed", 45), ("flow", 3900))], Now);

        Assert.Equal(LevelOfService.F, traffic.Los);
    }

    [Fact]
    public void Speed_is_estimated_from_flow_when_no_sensor_measures_it()
    {
        var (_, traffic) = SegmentTrafficModel.Derive(Road, [Sensor(SensorKind.TrafficCounter, Now, ("flow", 3600))], Now);

        Assert.Equal(50 / 1.15, traffic.SpeedKmh!.Value, 6);
        // Still fast, but at capacity.
        Assert.Equal(LevelOfService.E, traffic.Los);
    }

    [Fact]
    public void Offline_sensors_do_not_describe_the_road()
    {
        var (_, traffic) = SegmentTrafficModel.Derive(Road,
            [Sensor(SensorKind.SpeedCamera, Now.AddHours(-1), ("speed", 5)), Sensor(SensorKind.SpeedCamera, Now, ("speed", 44))], Now);

        Assert.Equal(44, traffic.SpeedKmh);
        Assert.Equal(Now, traffic.AsOf);
    }

    [Fact]
    public void Deep_water_floods_an_open_road_but_not_a_closed_one()
    {
        var water = Sensor(SensorKind.WaterLevel, Now, ("level", 0.4));

        Assert.Equal(SegmentStatus.Flooded, SegmentTrafficModel.Derive(Road, [water], Now).Status);
        Assert.Equal(SegmentStatus.Closed, SegmentTrafficModel.Derive(Road with { Status = SegmentStatus.Closed }, [water], Now).Status);
        Assert.Equal(SegmentStatus.Open, SegmentTrafficModel.Derive(Road, [Sensor(SensorKind.WaterLevel, Now, ("level", 0.1))], Now).Status);
    }

    [Fact]
    public void Health_goes_stale_then_offline_with_silence()
    {
        Assert.Equal(SensorHealth.Online, HealthPolicy.Classify(Now.AddMinutes(-4), Now));
        Assert.Equal(SensorHealth.Stale, HealthPolicy.Classify(Now.AddMinutes(-6), Now));
        Assert.Equal(SensorHealth.Offline, HealthPolicy.Classify(Now.AddMinutes(-16), Now));
        Assert.Equal(SensorHealth.Offline, HealthPolicy.Classify(null, Now));
    }
}
