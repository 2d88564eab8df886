namespace IocTwin.Api.Apis;

/// <summary>How many scenarios may exist and run at once (configuration section "Scenarios").</summary>
public sealed class ScenarioLimits
{
    public const string SectionName = "Scenarios";

    public int MaxPerCreator { get; set; } = 50;

    public int MaxTotal { get; set; } = 500;

    public int MaxConcurrentRunsPerCreator { get; set; } = 2;

    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>A run slot not released within this time (its silo went away) is freed.</summary>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What a caller refused a run is told to wait before trying again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>How many alert rules the twin keeps (configuration section "AlertRules").</summary>
public sealed class AlertRuleLimits
{
    public const string SectionName = "AlertRules";

    public int MaxRules { get; set; } = 1000;
}
