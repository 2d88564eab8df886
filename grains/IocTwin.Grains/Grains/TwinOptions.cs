namespace IocTwin.Grains;

/// <summary>How fast live state rolls up and how often it is written behind.</summary>
public sealed class TwinOptions
{
    public const string SectionName = "Twin";

    /// <summary>Changes are batched for this long before a grain reports up (sensor → segment → district → city).</summary>
    public TimeSpan RollupDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Live values are written to storage at most this often per grain; topology is written at once.</summary>
    public TimeSpan PersistDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a district re-evaluates time-based KPIs (sensor health) without new data.</summary>
    public TimeSpan HealthRefresh { get; set; } = TimeSpan.FromSeconds(30);
}

public static class TwinStorage
{
    /// <summary>The grain storage provider holding all twin state.</summary>
    public const string Name = "twin";
}
