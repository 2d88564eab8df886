using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>Sensor kinds as an enum, in the order the twin compiled them before cities defined their own.</summary>
public enum StoredSensorKind
{
    TrafficCounter, SpeedCamera, AirQuality, WaterLevel, RainGauge, Noise, Streetlight, WaterPressure, PeopleCounter,
}

/// <summary>Sectors as an enum, in the order the twin compiled them before cities defined their own.</summary>
public enum StoredSector
{
    Traffic, Environment, Flood, Lighting, Water, PublicSafety,
}

/// <summary>A sensor as stored while kinds and sectors were enums, with the same field ids.</summary>
[GenerateSerializer]
public sealed record SensorSpecWithEnums(
    [property: Id(0)] string Id,
    [property: Id(1)] StoredSensorKind Kind,
    [property: Id(2)] StoredSector Sector,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] string DistrictId,
    [property: Id(5)] string? SegmentId,
    [property: Id(6)] string? Name);

/// <summary>An alert rule as stored while kinds and sectors were enums (both optional), with the same field ids.</summary>
[GenerateSerializer]
public sealed record AlertRuleWithEnums(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] StoredSensorKind? Kind,
    [property: Id(3)] StoredSector? Sector,
    [property: Id(4)] string Metric,
    [property: Id(5)] double Threshold,
    [property: Id(6)] double ClearThreshold,
    [property: Id(7)] double ForSeconds,
    [property: Id(8)] string Severity);

/// <summary>
/// Sensors, alerts and rules stored while sectors and sensor kinds were compiled enums load with the same sectors and
/// kinds, now ids; those of sectors a city defines are stored by id and load back.
/// </summary>
public sealed class SectorStoredStateTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void A_sensor_stored_when_kinds_and_sectors_were_enums_loads_with_the_same_kind_and_sector()
    {
        var stored = Serializer.SerializeToArray(new List<SensorSpecWithEnums>
        {
            new("s-1", StoredSensorKind.PeopleCounter, StoredSector.PublicSafety, new GeoPoint(108.2, 16.05), "hai-chau", null, "Chợ Hàn"),
            new("s-2", StoredSensorKind.TrafficCounter, StoredSector.Traffic, new GeoPoint(108.21, 16.06), "hai-chau", "seg-1", null),
            new("s-3", StoredSensorKind.WaterPressure, StoredSector.Water, new GeoPoint(108.22, 16.07), "son-tra", null, null),
        });

        var loaded = Serializer.Deserialize<List<SensorSpec>>(stored)!;

        Assert.Equal(
            [("s-1", "people-counter", "public-safety"), ("s-2", "traffic-counter", "traffic"), ("s-3", "water-pressure", "water")],
            loaded.Select(s => (s.Id, s.Kind.Id, s.Sector.Id)));
        Assert.Equal(SensorKind.PeopleCounter, loaded[0].Kind);
        Assert.Equal(Sector.PublicSafety, loaded[0].Sector);
        Assert.Equal(("Chợ Hàn", "seg-1"), (loaded[0].Name, loaded[1].SegmentId));
    }

    [Fact]
    public void An_alert_rule_stored_with_an_enum_kind_and_no_sector_loads_with_the_kind_and_still_no_sector()
    {
        var stored = Serializer.SerializeToArray(
            new AlertRuleWithEnums("water-high", "Water level over 0.5 m", StoredSensorKind.WaterLevel, null, "level", 0.5, 0.4, 0, "critical"));

        var loaded = Serializer.Deserialize<AlertRule>(stored)!;

        Assert.Equal(SensorKind.WaterLevel, loaded.Kind);
        Assert.Null(loaded.Sector);
        Assert.Equal(("level", 0.5, 0.4), (loaded.Metric, loaded.Threshold, loaded.ClearThreshold));
    }

    [Fact]
    public void A_sensor_and_area_of_a_sector_the_city_defines_are_stored_by_id_and_load_back()
    {
        var sensor = new SensorSpec("bin-7", new SensorKind("bin-fill"), new Sector("waste"), new GeoPoint(108.2, 16.05), "hai-chau", null, null);
        var kpis = DistrictKpis.Empty with
        {
            Rules = new Dictionary<string, RuleKpi> { ["bin-fill-mean"] = new(62.5, DateTimeOffset.UnixEpoch, 4, "mean") },
        };
        var area = new DistrictSnapshot("hai-chau", "Hải Châu", null, kpis, 3,
            Sectors: new Dictionary<Sector, DistrictKpis> { [new Sector("waste")] = kpis, [Sector.Traffic] = DistrictKpis.Empty });

        var loadedSensor = Serializer.Deserialize<SensorSpec>(Serializer.SerializeToArray(sensor))!;
        var loadedArea = Serializer.Deserialize<DistrictSnapshot>(Serializer.SerializeToArray(area))!;

        Assert.Equal(sensor, loadedSensor);
        Assert.Equal([Sector.Traffic, new Sector("waste")], loadedArea.Sectors!.Keys.Order());
        Assert.Equal((62.5, 4), (loadedArea.Sectors[new Sector("waste")].Rules!["bin-fill-mean"].Value, loadedArea.Kpis.Rules!["bin-fill-mean"].Count));
    }
}
