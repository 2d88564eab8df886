namespace IocTwin.Api.Streaming;

/// <summary>
/// When a scope that keeps changing sends its frames: once per interval, at a phase of its own. Scopes fed by the same
/// batches of updates would otherwise all send in the same instant, and a thousand screens' writes then queue behind
/// one another (and behind the feed) on the process's cores; spread over the interval, each burst is a fraction of
/// that. After a frame the next waits for the scope's next slot, so a change waits at most one interval; a scope that
/// let a slot pass with nothing to send sends its next change at once.
/// </summary>
public sealed class FrameSlots(long interval)
{
    // Each new scope's phase steps by the golden ratio's fraction of an interval: any number of scopes spread evenly.
    private const double PhaseStep = 0.6180339887498949;

    private double _lastPhase;

    public long Interval { get; } = Math.Max(1, interval);

    /// <summary>The phase of a new scope, as a fraction of an interval.</summary>
    public double NextPhase()
    {
        _lastPhase = (_lastPhase + PhaseStep) % 1;
        return _lastPhase;
    }

    /// <summary>The earliest a scope with <paramref name="phase"/> that sent a frame at <paramref name="sentAt"/> sends its next.</summary>
    public long NextAfter(long sentAt, double phase)
    {
        var offset = (long)(phase * Interval);
        // The first time offset + k * interval after the frame: k one above the floor of (sentAt - offset) / interval.
        var since = sentAt - offset;
        var k = since / Interval - (since % Interval < 0 ? 1 : 0) + 1;
        return offset + k * Interval;
    }
}
