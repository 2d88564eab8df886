using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>
/// The catalogue every city starts with: the six sectors and nine sensor kinds the twin had compiled in, with the value
/// ranges ingest has always enforced. A city's configuration adds to it or redefines an entry by id.
/// </summary>
public static class DefaultSectors
{
    public static readonly IReadOnlyList<SectorDefinition> Sectors =
    [
        new(Sector.Traffic.Id, "Giao thông", "Traffic", "#ffd166"),
        new(Sector.Environment.Id, "Môi trường", "Environment", "#06d6a0"),
        new(Sector.Flood.Id, "Chống ngập", "Flood", "#4cc9f0"),
        new(Sector.Lighting.Id, "Chiếu sáng", "Lighting", "#f8f9fa"),
        new(Sector.Water.Id, "Cấp nước", "Water", "#4361ee"),
        new(Sector.PublicSafety.Id, "An ninh trật tự", "Public safety", "#ef476f"),
    ];

    // Ranges: the physically possible values (see ReadingRanges for why each bound is where it is).
    private static readonly SensorValueDefinition Speed = new(ReadingNames.Speed, "km/h", 0, 300);
    private static readonly SensorValueDefinition Level = new(ReadingNames.Level, "m", -50, 100);
    private static readonly SensorValueDefinition Aqi = new(ReadingNames.Aqi, "", 0, 999);

    public static readonly IReadOnlyList<SensorKindDefinition> Kinds =
    [
        new(SensorKind.TrafficCounter.Id, Sector.Traffic.Id,
            [new(ReadingNames.Flow, "veh/h", 0, 30_000), Speed, new(ReadingNames.Occupancy, "%", 0, 100)]),
        new(SensorKind.SpeedCamera.Id, Sector.Traffic.Id, [Speed]),
        new(SensorKind.AirQuality.Id, Sector.Environment.Id, [Aqi, new(ReadingNames.Pm25, "µg/m³", 0, 5_000)],
            new("aqi-unhealthy", "Air quality unhealthy (AQI > 150)", ReadingNames.Aqi, 150, 130, 0, "warning")),
        new(SensorKind.WaterLevel.Id, Sector.Flood.Id, [Level],
            new("water-high", "Water level over 0.5 m", ReadingNames.Level, 0.5, 0.4, 0, "critical")),
        new(SensorKind.RainGauge.Id, Sector.Flood.Id, [new(ReadingNames.Rainfall, "mm/h", 0, 500)]),
        new(SensorKind.Noise.Id, Sector.Environment.Id, [new(ReadingNames.Noise, "dB(A)", 0, 194)]),
        new(SensorKind.Streetlight.Id, Sector.Lighting.Id, [new(ReadingNames.On, "", 0, 1), new(ReadingNames.Power, "W", 0, 100_000)]),
        new(SensorKind.WaterPressure.Id, Sector.Water.Id, [new(ReadingNames.Pressure, "bar", 0, 100)]),
        new(SensorKind.PeopleCounter.Id, Sector.PublicSafety.Id, [new(ReadingNames.Count, "", 0, 1_000_000)]),
    ];

    public static readonly SectorCatalogDocument Document = new(Sectors, Kinds);

    /// <summary>The defaults with a configuration's sectors and kinds added, or replacing the default of the same id.</summary>
    public static SectorCatalogDocument With(IReadOnlyList<SectorDefinition>? sectors, IReadOnlyList<SensorKindDefinition>? kinds) => new(
        [.. Sectors.Where(d => sectors?.Any(s => s.Id == d.Id) != true), .. sectors ?? []],
        [.. Kinds.Where(d => kinds?.Any(k => k.Id == d.Id) != true), .. kinds ?? []]);
}
