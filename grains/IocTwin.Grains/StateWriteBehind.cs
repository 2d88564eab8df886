using Orleans.Core;

namespace IocTwin.Grains;

/// <summary>
/// A grain's write of its live state, run once some time after the first of any number of changes, by the silo's
/// <see cref="WriteBehindSchedule"/> rather than by a timer of the grain's own. The grain implements
/// <see cref="IWritesBehind"/> by calling <see cref="RunAsync"/>, and flushes on deactivation. The first write comes
/// after a random part of the delay: grains activated together (a city coming up, a feed starting) then spread their
/// writes over the delay instead of writing all at once, and stay spread.
/// </summary>
internal sealed class StateWriteBehind
{
    // The grain's context and its state, not a grain reference and a delegate: a twin holds a million of these, and the
    // reference is made only when a write comes due. The delay and the way of writing are the silo's (the schedule's).
    private readonly IGrainContext _grain;
    private readonly WriteBehindSchedule _schedule;
    private readonly IStorage _state;
    private readonly bool _mayStretch;
    private bool _spreadNext = true;
    // Read by the schedule's thread: whether calling the grain would find anything to write.
    private volatile bool _pending;
    // What the schedule holds until the write is due: let go of the grain once it deactivated, so that a grain gone
    // is not kept in memory until then.
    private WriteBehindSchedule.Entry? _entry;
    private Task _running = Task.CompletedTask;

    /// <param name="mayStretch">
    /// Whether the write may come later while the silo is busy (<see cref="TwinOptions.CheckpointMaxStretch"/>): for the
    /// many grains of the rollup, whose live state comes back from history (a sensor replays it, then reports to its
    /// segment), not for those whose stored state a restart shows first.
    /// </param>
    public StateWriteBehind(IGrainContext grain, WriteBehindSchedule schedule, IStorage state, bool mayStretch = false)
    {
        (_grain, _schedule, _state, _mayStretch) = (grain, schedule, state, mayStretch);
    }

    /// <summary>Whether a write is asked for and not run yet (the schedule skips a grain that wrote since).</summary>
    public bool Pending => _pending;

    /// <summary>Asks for a write: the first ask since the last write sets when it comes; later ones join it.</summary>
    public void Schedule()
    {
        if (_pending)
        {
            return;
        }
        var delay = _schedule.NextDelay(first: _spreadNext, _mayStretch);
        _pending = true;
        _spreadNext = false;
        _entry = _schedule.Add(this, delay);
    }

    /// <summary>The grain call the schedule makes when the write is due.</summary>
    internal Task CallGrain()
    {
        var grain = _schedule.Grains.GetGrain<IWritesBehind>(_grain.GrainId);
        return _schedule.Interleave ? grain.WriteBehindInterleaved() : grain.WriteBehind();
    }

    /// <summary>The schedule's call did not reach the grain: the write, still pending, is called for again later.</summary>
    internal void CallAgainAfter(TimeSpan delay) => _entry = _schedule.Add(this, delay);

    /// <summary>
    /// On deactivation: waits for a write still in progress, then writes now if one is pending, and leaves the schedule.
    /// </summary>
    public async Task FlushAsync()
    {
        try
        {
            await _running;
        }
        catch
        {
            // The scheduled write reported its own failure; a pending write below tries again.
        }
        try
        {
            await RunAsync();
        }
        finally
        {
            _entry?.Write = null;
        }
    }

    /// <summary>Writes now if a write is pending; on the grain's scheduler (a grain call or the grain's own code).</summary>
    public Task RunAsync()
    {
        if (!_pending)
        {
            return Task.CompletedTask;
        }
        _pending = false;
        // The schedule skips a write no longer pending: its entry, if still queued, need not hold this one.
        _entry?.Write = null;
        _entry = null;
        return _running = _state.WriteStateAsync();
    }
}
