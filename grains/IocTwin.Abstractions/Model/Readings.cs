namespace IocTwin.Model;

/// <summary>One measurement of a sensor: named numeric values at a time.</summary>
[GenerateSerializer, Immutable]
public sealed record Reading(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] ReadingValues Values);

/// <summary>The latest state of a sensor as it flows up to its segment or district.</summary>
[GenerateSerializer, Immutable]
public sealed record SensorSnapshot(
    [property: Id(0)] string SensorId,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] DateTimeOffset? LastSeen,
    [property: Id(4)] ReadingValues Values,
    [property: Id(5)] long ReadingCount);

/// <summary>
/// Where a batch of readings (one ingest call) sits in history: the writing process and a commit time unique to the
/// batch (Unix ms, increasing per writer). A sensor grain uses it to apply every stored batch exactly once, live or when
/// catching up after a crash. A class, not a struct: one instance goes with every sensor call of an ingest batch, where
/// a struct argument would be boxed by the runtime on each call, at both ends. Stored like the struct it was: without
/// reference tracking, which a sensor's state holding a few hundred of them would pay for at every checkpoint.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed record HistoryBatch([property: Id(0)] int Writer, [property: Id(1)] long CommittedMs);
