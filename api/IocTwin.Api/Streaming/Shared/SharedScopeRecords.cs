using System.Diagnostics;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// The records a city or sector scope's subscribers share, and how they are kept current. They are taken once from the
/// state the process holds (<see cref="HeldTwin"/>); from then on every frame the scope sends is laid over them
/// (<see cref="SharedRecordStore"/>), and a new subscriber is served the latest version serialised so far with the few
/// frames that followed it. Once a couple of frames followed it, a newer version is published from the store (no read,
/// no copy of the city: only chunks with changed records are new) and serialised in the background for the protocols
/// used before; the subscriber arriving meanwhile is not kept waiting for it. The records are taken again when the
/// topology changed, a frame names a record they do not hold, or they are older than <see cref="RetakeAfter"/> (in the
/// background: an update lost on the way heals). Guarded by the dispatcher's lock (<paramref name="gate"/>).
/// </summary>
internal sealed class SharedScopeRecords(Lock gate, int maxReplayFrames, ILogger logger)
{
    /// <summary>
    /// Segments and sensors a subscriber may be sent ahead of shared records (a couple of megabytes): under a busy feed a
    /// city frame carries thousands, and a screen opening should not read more of them than of its snapshot.
    /// </summary>
    public const int MaxReplayRecords = 10_000;

    /// <summary>Once this many frames followed the records served, a newer version is made for later subscribers.</summary>
    private const int RefreshAfterFrames = 2;

    /// <summary>Records kept current from frames are taken again, behind those served, after this long.</summary>
    public static readonly TimeSpan RetakeAfter = TimeSpan.FromMinutes(5);

    private SharedRecordStore? _store;
    private long _storeGeneration;
    private long _storeTakenAt;

    /// <summary>Records served to new subscribers, serialised already for the protocols used before.</summary>
    private SharedSnapshot? _current;

    /// <summary>Newer records being taken from the held state, or published from the store and being serialised.</summary>
    private SharedSnapshot? _next;

    /// <summary>Whether nothing is held: a scope without subscribers and without shared records is dropped at once.</summary>
    public bool IsEmpty => _current is null && _next is null && _store is null;

    /// <summary>The most frames kept after shared records for a later subscriber (0 when none are kept).</summary>
    public int FramesKept => Math.Max(_current?.FramesSince.Count ?? 0, _next?.FramesSince.Count ?? 0);

    /// <summary>
    /// The shared records a new subscriber of a scope now at <paramref name="sequence"/> gets: the current version while
    /// few frames followed it (a newer one made behind it), else the newer one. It waits for a read of the held state only
    /// when nothing is held for the scope.
    /// </summary>
    public SharedSnapshot For(long sequence, long generation, Func<long, Task<HeldRecords>> takeHeld)
    {
        if (_store is not null && _storeGeneration != generation)
        {
            _store = null;
        }
        if (_current is { } current && (current.Generation != generation || Outgrown(current)))
        {
            _current = null;
        }
        if (_next is { } next && next.Generation != generation)
        {
            _next = null;
        }
        if (_current is { } served)
        {
            if (_next is null && Stale(served))
            {
                _ = _store is null || Stopwatch.GetElapsedTime(_storeTakenAt) > RetakeAfter
                    ? Take(sequence, generation, takeHeld)
                    : Publish(_store);
            }
            return served;
        }
        return _next ?? (_store is { } store ? Publish(store) : Take(sequence, generation, takeHeld));
    }

    /// <summary>A frame the scope sent: kept for later subscribers of the records served, and laid over the store.</summary>
    public void OnFrame(SentFrame frame)
    {
        _current?.Add(frame);
        _next?.Add(frame);
        if (_store is { } store && !store.Apply(frame.Frame))
        {
            _store = null;
        }
        // Subscribers still waiting for these records hold them and their frames themselves; a read of the held state
        // under way keeps its frames, to lay them over what it read.
        if (_current is { } current && Outgrown(current))
        {
            _current = null;
        }
        if (_next is { Records.IsCompleted: true } next && Outgrown(next))
        {
            _next = null;
        }
    }

    /// <summary>The topology or the areas covered changed: the records are taken again for the next subscriber.</summary>
    public void Forget()
    {
        _current = _next = null;
        _store = null;
    }

    private bool Stale(SharedSnapshot served) =>
        served.FramesSince.Count >= RefreshAfterFrames || served.RecordsSince >= MaxReplayRecords / 2
        || (_store is null && Stopwatch.GetElapsedTime(served.StartedAt) > RetakeAfter);

    /// <summary>More frames followed the records than a subscriber may be sent ahead of them: no use keeping them.</summary>
    private bool Outgrown(SharedSnapshot shared) => shared.FramesSince.Count > maxReplayFrames || shared.RecordsSince > MaxReplayRecords;

    /// <summary>
    /// The store's records as a new version, serialised in the background for the protocols used before; a subscriber
    /// served it before that is done serialises only what its own protocol needs, sharing the work with the background.
    /// </summary>
    private SharedSnapshot Publish(SharedRecordStore store)
    {
        var records = store.Publish();
        var next = new SharedSnapshot(store.Sequence, _storeGeneration, Task.FromResult(records));
        _next = next;
        Task.Run(() =>
        {
            records.Districts.SerializeAhead();
            records.Segments.SerializeAhead();
            records.Sensors.SerializeAhead();
        }).ContinueWith(serialized =>
        {
            lock (gate)
            {
                if (_next == next)
                {
                    _next = null;
                    _current = next;
                }
            }
            if (serialized.Exception is { } failed)
            {
                logger.LogWarning(failed, "Serialising shared records ahead of subscribers failed");
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return next;
    }

    /// <summary>Takes the records from the held state; once read, the frames sent meanwhile are laid over them in a new store.</summary>
    private SharedSnapshot Take(long sequence, long generation, Func<long, Task<HeldRecords>> takeHeld)
    {
        var next = new SharedSnapshot(sequence, generation, Task.Run(() => takeHeld(sequence)));
        _next = next;
        next.Records.ContinueWith(taken =>
        {
            lock (gate)
            {
                if (_next != next)
                {
                    return;
                }
                _next = null;
                if (!taken.IsCompletedSuccessfully)
                {
                    return;
                }
                if (!Outgrown(next))
                {
                    _current = next;
                }
                var store = new SharedRecordStore(taken.Result, next.Sequence);
                if (next.FramesSince.TrueForAll(frame => store.Apply(frame.Frame)))
                {
                    (_store, _storeGeneration, _storeTakenAt) = (store, generation, Stopwatch.GetTimestamp());
                }
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        next.Records.ContinueWith(
            failed => logger.LogDebug(failed.Exception, "Taking shared records failed"), // Its subscribers are told; a read nobody waited for is only logged.
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return next;
    }
}
