using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class SensorState
{
    [Id(0)] public SensorSpec? Spec { get; set; }
    [Id(1)] public Reading? LastReading { get; set; }
    [Id(2)] public long ReadingCount { get; set; }
    [Id(3)] public long Version { get; set; }
    /// <summary>
    /// When the twin last heard from the sensor, by its own clock; health is judged by it, not by reading timestamps.
    /// Held as UTC ticks (0: never), 16 bytes less per sensor than a nullable <see cref="DateTimeOffset"/>, and read back
    /// in UTC; stored as before.
    /// </summary>
    [Id(4)]
    public DateTimeOffset? LastSeen
    {
        get => _lastSeenUtcTicks == 0 ? null : new DateTimeOffset(_lastSeenUtcTicks, TimeSpan.Zero);
        set => _lastSeenUtcTicks = value?.UtcTicks ?? 0;
    }
    /// <summary>
    /// History batches applied lately (commit times within <see cref="SensorGrain.BatchMemory"/> of the newest), as
    /// stored: a set, built when asked for. Held in a sorted array (<see cref="MarkApplied"/>): a set of a few batches
    /// takes ~170 bytes, a sizeable part of what a sensor grain costs in a twin of a million of them.
    /// </summary>
    [Id(5)]
    public HashSet<HistoryBatch> RecentBatches
    {
        get => [.. _applied.AsSpan(0, _appliedCount)];
        set
        {
            _applied = [.. value ?? []];
            _appliedCount = _applied.Length;
            Array.Sort(_applied, Order);
        }
    }

    /// <summary>Newest commit time applied: batches committed before it minus the batch memory were all applied.</summary>
    [Id(6)] public long LastCommitMs { get; set; }

    [NonSerialized] private long _lastSeenUtcTicks;

    // By commit time, then writer: batches mostly come in commit order, so a new one goes at the end.
    [NonSerialized] private HistoryBatch[] _applied = [];
    [NonSerialized] private int _appliedCount;

    /// <summary>Marks a batch applied; false when it already was.</summary>
    public bool MarkApplied(HistoryBatch batch)
    {
        var at = Array.BinarySearch(_applied, 0, _appliedCount, batch, Order);
        if (at >= 0)
        {
            return false;
        }
        at = ~at;
        if (_appliedCount == _applied.Length)
        {
            Array.Resize(ref _applied, Math.Max(1, _applied.Length * 2));
        }
        Array.Copy(_applied, at, _applied, at + 1, _appliedCount - at);
        _applied[at] = batch;
        _appliedCount++;
        return true;
    }

    /// <summary>Forgets the batches committed before <paramref name="committedMs"/>.</summary>
    public void ForgetAppliedBefore(long committedMs)
    {
        var keep = 0;
        while (keep < _appliedCount && _applied[keep].CommittedMs < committedMs)
        {
            keep++;
        }
        if (keep == 0)
        {
            return;
        }
        var left = _appliedCount - keep;
        // Shrinks once most of the room is unused, so that a burst of batches does not stay held.
        HistoryBatch[] kept = left == 0 ? [] : left <= _applied.Length / 4 ? new HistoryBatch[left * 2] : _applied;
        Array.Copy(_applied, keep, kept, 0, left);
        Array.Clear(kept, left, kept.Length - left);
        (_applied, _appliedCount) = (kept, left);
    }

    private static readonly Comparer<HistoryBatch> Order = Comparer<HistoryBatch>.Create((a, b) =>
        a.CommittedMs != b.CommittedMs ? a.CommittedMs.CompareTo(b.CommittedMs) : a.Writer.CompareTo(b.Writer));
}
