using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// What a sensor measures, as the city's catalogue defines it; the nine below are the defaults. Serialized as its
/// kebab-case id ("traffic-counter"); Orleans stores it with <see cref="SensorKindCodec"/>, which also reads the enum
/// number rows stored before kinds were defined by the city.
/// </summary>
[Immutable, JsonConverter(typeof(CatalogIdJsonConverter<SensorKind>))]
public readonly record struct SensorKind : ICatalogId<SensorKind>, IComparable<SensorKind>
{
    private readonly string? _id;

    public SensorKind(string id) => _id = id;

    public string Id => _id ?? "";

    public static readonly SensorKind TrafficCounter = new("traffic-counter");
    public static readonly SensorKind SpeedCamera = new("speed-camera");
    public static readonly SensorKind AirQuality = new("air-quality");
    public static readonly SensorKind WaterLevel = new("water-level");
    public static readonly SensorKind RainGauge = new("rain-gauge");
    public static readonly SensorKind Noise = new("noise");
    public static readonly SensorKind Streetlight = new("streetlight");
    public static readonly SensorKind WaterPressure = new("water-pressure");
    public static readonly SensorKind PeopleCounter = new("people-counter");

    public static IReadOnlyList<SensorKind> Compiled { get; } =
        [TrafficCounter, SpeedCamera, AirQuality, WaterLevel, RainGauge, Noise, Streetlight, WaterPressure, PeopleCounter];

    public static SensorKind FromId(string id) => new(id);

    public int CompareTo(SensorKind other) => CatalogIds.Compare(this, other);

    public override string ToString() => Id;
}
