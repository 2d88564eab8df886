namespace IocTwin.Topology;

/// <summary>
/// An import writes the rows of new segments and sensors without activating them (<see cref="TopologyBatchGrain"/>).
/// A grain of such an id may already be active with no state, as when the feed asked about a sensor before it was
/// imported: while it holds no spec, it reads its row again when asked whether it is registered, at most this often.
/// </summary>
internal static class ImportedRowCheck
{
    private static readonly long IntervalTicks = TimeSpan.FromSeconds(1).Ticks;

    /// <summary>Whether to read the state again now; when so, the next look is an interval away.</summary>
    public static bool Due(ref long nextTicks, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcTicks;
        if (now < nextTicks)
        {
            return false;
        }
        nextTicks = now + IntervalTicks;
        return true;
    }
}
