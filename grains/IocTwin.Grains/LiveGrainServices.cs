using IocTwin.History;

namespace IocTwin.Grains;

/// <summary>
/// What the grains a city has hundreds of thousands of (sensors, road segments) use from their silo, in one reference:
/// a grain keeps each service its constructor takes, and three more references in each of a million grains are 24 MB.
/// </summary>
public sealed class LiveGrainServices(TimeProvider time, IReadingHistory history, RollupOutbox rollup, WriteBehindSchedule writeBehind)
{
    public TimeProvider Time { get; } = time;

    /// <summary>Where a sensor catches up on readings its stored state missed.</summary>
    public IReadingHistory History { get; } = history;

    public RollupOutbox Rollup { get; } = rollup;

    public WriteBehindSchedule WriteBehind { get; } = writeBehind;
}
