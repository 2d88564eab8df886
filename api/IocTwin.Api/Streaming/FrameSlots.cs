namespace IocTwin.Api.Streaming;

/// <summary>
/// When a scope that keeps changing sends its frames: once per interval, at a phase of its own. Scopes fed by the same
/// batches of updates would otherwise all send in the same instant, and a thousand screens' writes then queue behind
/// one another (and behind the feed) on the process's cores; spread over the interval, each burst is a fraction of
/// that. Each slot lets one frame go, from the slot until the next one, so a late timer costs no slot: one frame per
/// interval while the scope keeps changing, a change waiting at most one interval. A scope whose slot passed a whole
/// interval ago (a quiet spell) sends its next change at once, and the next at its first slot at least half an interval
/// later, at most one and a half intervals on. The spread holds while batches of updates come more often than frames;
/// when they come less often (a rollup stretched under a burst) the scopes they make due send together again.
/// </summary>
public sealed class FrameSlots(long interval)
{
    // Each new scope's phase steps by the golden ratio's fraction of an interval: scopes spread nearly evenly, however many.
    private const double PhaseStep = 0.6180339887498949;

    private double _lastPhase;

    public long Interval { get; } = Math.Max(2, interval);

    /// <summary>The phase of a new scope, a fraction of an interval in [0, 1).</summary>
    public double NextPhase()
    {
        _lastPhase = (_lastPhase + PhaseStep) % 1;
        return _lastPhase;
    }

    /// <summary>
    /// The earliest a scope with <paramref name="phase"/>, due since <paramref name="due"/>, that sent a frame at
    /// <paramref name="sentAt"/> sends its next.
    /// </summary>
    public long NextAfter(long sentAt, long due, double phase)
    {
        if (sentAt < due + Interval)
        {
            // The frame took the slot it was due at, on time or late: the next slot follows it.
            return due + Interval;
        }
        var offset = (long)(phase * Interval);
        // The first time offset + k * interval at or after half an interval on: k is the ceiling of (earliest - offset) / interval.
        var since = sentAt + Interval / 2 - offset;
        var k = since / Interval + (since % Interval > 0 ? 1 : 0);
        return offset + k * Interval;
    }
}
