namespace IocTwin.Tests;

/// <summary>A clock that stands still until a test sets it: wall time and timestamps both follow <see cref="Now"/>.</summary>
public sealed class SetClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 7, 1, 8, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => Now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}
