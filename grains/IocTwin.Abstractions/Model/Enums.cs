namespace IocTwin.Model;

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
