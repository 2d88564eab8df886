namespace IocTwin.Model;

/// <summary>What a sensor measures. Serialized in JSON as kebab-case ("traffic-counter").</summary>
public enum SensorKind
{
    TrafficCounter,
    SpeedCamera,
    AirQuality,
    WaterLevel,
    RainGauge,
    Noise,
    Streetlight,
    WaterPressure,
    PeopleCounter,
}

/// <summary>The city sector that owns a sensor's data; sector OCs are scoped by it.</summary>
public enum Sector
{
    Traffic,
    Environment,
    Flood,
    Lighting,
    Water,
    PublicSafety,
}

public enum SegmentStatus
{
    Open,
    Closed,
    Flooded,
    Incident,
}

public enum SensorHealth
{
    Online,
    Stale,
    Offline,
}

/// <summary>Level of service, A (free flow) to F (breakdown), as in the Highway Capacity Manual.</summary>
public enum LevelOfService
{
    A,
    B,
    C,
    D,
    E,
    F,
}
