namespace IocTwin.Grains;

/// <summary>How fast live state rolls up and how often it is written behind (section "Twin", bound by the host).</summary>
public sealed class TwinOptions
{
    /// <summary>
    /// How often each silo sends its sensors' and segments' latest snapshots up to their segments and districts,
    /// one call per parent (see <see cref="RollupOutbox"/>).
    /// </summary>
    public TimeSpan RollupDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long a district or the city gathers changes before it publishes them to screens and reports up. A district
    /// hears from the rollup once per outbox cycle (one call with its changed segments, one with its own sensors), so
    /// this only needs to gather those: longer would add latency without saving reports.
    /// </summary>
    public TimeSpan PublishDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How often, at most, a district re-evaluates its alert rules while its live values change. Every rule is
    /// measured against every member, so a busy district does it at this pace, not at every report.
    /// </summary>
    public TimeSpan AlertDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Live values are checkpointed to storage at most this often per grain; topology and alerts are written at once.
    /// A crash costs no acknowledged reading whatever this is: a sensor replays history after its checkpoint and
    /// reports again to its segment. A grain's first checkpoint comes after a random part of this, so that a city
    /// coming up does not write all its grains at the same moment.
    /// </summary>
    public TimeSpan PersistDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// While the silo's process keeps most of its cores busy, sensors' and road segments' checkpoints come up to this many
    /// times <see cref="PersistDelay"/> apart (1: never later; at most 100), so that the silo spends its cores on live
    /// readings rather than on writing what history already holds. A sensor activated again replays its history since
    /// its checkpoint, so a later checkpoint costs a longer replay after a crash, never a reading; a silent sensor shows
    /// at its segment as the segment last checkpointed it until it is activated again. Areas always checkpoint at
    /// <see cref="PersistDelay"/>: their KPIs are what a restart shows first.
    /// </summary>
    public double CheckpointMaxStretch { get; set; } = 4;

    /// <summary>
    /// Whether grains keep taking calls while their write-behind waits for the database. Set by the host where the
    /// store copies the state when a write is asked for and runs one grain's writes in order (the SQLite writer);
    /// elsewhere a grain holds its calls until its write is done.
    /// </summary>
    public bool InterleaveWriteBehind { get; set; }

    /// <summary>How often a district re-evaluates time-based KPIs (sensor health) without new data.</summary>
    public TimeSpan HealthRefresh { get; set; } = TimeSpan.FromSeconds(30);
}

public static class TwinStorage
{
    /// <summary>The grain storage provider holding all twin state.</summary>
    public const string Name = "twin";
}
