namespace IocTwin.Hosting;

/// <summary>
/// How much ingest an API process lets in at once (section "Twin:Ingest"). Readings are held to this budget from the
/// moment they are taken until their sensors have applied them, so that the twin never acknowledges far more than it
/// applies: past the budget a batch waits, and past the wait it is refused (HTTP 429 with Retry-After; MQTT holds its
/// acknowledgement and tries again).
/// </summary>
public sealed class IngestBudgetOptions
{
    public const string SectionName = "Twin:Ingest";

    /// <summary>Readings being stored and applied at once; a larger batch takes the whole budget.</summary>
    public int MaxReadingsInFlight { get; set; } = 40_000;

    /// <summary>Readings that may wait for the budget; beyond them a batch is refused at once.</summary>
    public int MaxReadingsWaiting { get; set; } = 40_000;

    /// <summary>How long a batch waits for the budget before it is refused.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The delay a refused sender is told to wait (Retry-After), and MQTT waits, before trying again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
