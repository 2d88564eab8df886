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
    // The grain's id and its state, not a grain reference and a delegate: a twin holds a million of these, and the
    // reference is made only when a write comes due.
    private readonly GrainId _grain;
    private readonly WriteBehindSchedule _schedule;
    private readonly TimeSpan _delay;
    private readonly IStorage _state;
    private readonly bool _interleave;
    private bool _spreadNext = true;
    // Read by the schedule's thread: whether calling the grain would find anything to write.
    private volatile bool _pending;
    // What the schedule holds until the write is due: let go of the grain once it deactivated, so that a grain gone
    // is not kept in memory until then.
    private WriteBehindSchedule.Entry? _entry;
    private Task _running = Task.CompletedTask;

    /// <param name="interleave">
    /// Let the grain's calls run while the write awaits the store: for a store that copies the state when the write is
    /// asked for, so that a grain whose write waits for the database keeps taking readings.
    /// </param>
    public StateWriteBehind(GrainId grain, WriteBehindSchedule schedule, TimeSpan delay, IStorage state, bool interleave)
    {
        (_grain, _schedule, _delay, _state, _interleave) = (grain, schedule, delay, state, interleave);
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
        _pending = true;
        var delay = _spreadNext ? _delay * Random.Shared.NextDouble() : _delay;
        _spreadNext = false;
        _entry = _schedule.Add(this, delay);
    }

    /// <summary>The grain call the schedule makes when the write is due.</summary>
    internal Task CallGrain()
    {
        var grain = _schedule.Grains.GetGrain<IWritesBehind>(_grain);
        return _interleave ? grain.WriteBehindInterleaved() : grain.WriteBehind();
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
