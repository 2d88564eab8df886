namespace IocTwin.Tests.Infrastructure;

/// <summary>The system clock, moved by an offset a test sets: lets a test see what minutes of silence do, in a second.</summary>
public sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
