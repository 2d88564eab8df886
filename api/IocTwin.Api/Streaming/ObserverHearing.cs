using IocTwin.Grains;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Whether this process hears every update the twin publishes. The publishers send to a list of the registered
/// observers at most <see cref="TwinObservers.PublisherRefresh"/> old, so a registration (the first, or again after the
/// registry lost it) reaches them only that long after it was made: until then updates may pass this process by, as
/// they do while the registry cannot be reached. The state held for snapshots is read, and the NGSI-LD notification
/// lease taken, only once this process hears; a lease holder that did not hear for a while reads again what changed
/// since (<see cref="Now"/>).
/// </summary>
public sealed class ObserverHearing(TimeProvider time)
{
    // Past the refresh: the registry call's own time, and the silo's and this process's clocks.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    // Monotonic (TimeProvider timestamps), so that a step of the wall clock neither hastens nor delays hearing.
    private long? _hearsFromTimestamp;
    // Wall-clock times, compared with the times changes were heard at: the last renewal that found the observer held
    // (since the process started, before any), and the last time the process did not hear.
    private DateTimeOffset _confirmed = time.GetUtcNow();
    private Gap _lastGap = new(0, time.GetUtcNow());

    /// <summary>A time this process did not hear from (wall clock), until it heard again; <see cref="Number"/> counts them.</summary>
    public sealed record Gap(long Number, DateTimeOffset Since);

    /// <summary>Whether this process hears now, and the last gap (over when it hears; number 0: before any registration).</summary>
    public sealed record State(bool Hears, Gap LastGap)
    {
        /// <summary>While this process does not hear: since when, at the latest. Null while it hears.</summary>
        public DateTimeOffset? DeafSince => Hears ? null : LastGap.Since;
    }

    /// <summary>Both read at once, so that a registration between two reads cannot pair a new gap with hearing.</summary>
    public State Now
    {
        get
        {
            lock (_gate)
            {
                return new State(HearsLocked(), _lastGap);
            }
        }
    }

    public bool Hears => Now.Hears;

    private bool HearsLocked() => _hearsFromTimestamp is { } from && time.GetTimestamp() >= from;

    /// <summary>The registry held this process's observer when it was renewed: it heard all along.</summary>
    public void Confirmed()
    {
        lock (_gate)
        {
            _confirmed = time.GetUtcNow();
        }
    }

    /// <summary>The registry could not be asked: whether it still holds the observer is unknown, so this process does not hear.</summary>
    public void Lost()
    {
        lock (_gate)
        {
            if (HearsLocked())
            {
                _lastGap = new Gap(_lastGap.Number + 1, _confirmed);
            }
            _hearsFromTimestamp = null;
        }
    }

    /// <summary>
    /// The observer was registered afresh (the registry did not hold it, or could not be asked before): it has not heard
    /// since the last renewal that found it held, and hears once every publisher has read the list again.
    /// </summary>
    public void Registered()
    {
        lock (_gate)
        {
            if (HearsLocked() || _lastGap.Number == 0)
            {
                _lastGap = new Gap(_lastGap.Number + 1, _confirmed);
            }
            _confirmed = time.GetUtcNow();
            var wait = TwinObservers.PublisherRefresh + Margin;
            _hearsFromTimestamp = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        }
    }

    /// <summary>Completes once this process hears.</summary>
    public async Task WhenHearsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                wait = _hearsFromTimestamp is { } from
                    ? TimeSpan.FromSeconds((double)(from - time.GetTimestamp()) / time.TimestampFrequency)
                    : TimeSpan.FromMilliseconds(100);
            }
            if (wait <= TimeSpan.Zero)
            {
                return;
            }
            await Task.Delay(wait, time, cancellationToken);
        }
    }
}
