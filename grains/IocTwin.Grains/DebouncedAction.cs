namespace IocTwin.Grains;

/// <summary>
/// Runs an action once, a fixed delay after the first of any number of requests, on the grain's own scheduler.
/// Keeps upward reports and write-behind to one call per delay however many readings arrive.
/// </summary>
internal sealed class DebouncedAction : IDisposable
{
    private readonly IGrainTimer _timer;
    private readonly Func<TimeSpan> _delay;
    private readonly Func<Task> _action;
    private bool _pending;
    private Task _running = Task.CompletedTask;

    /// <param name="interleave">
    /// Let calls run while the action awaits: for an action that only writes a copy of the state behind, so that a
    /// grain whose write waits for the database keeps taking readings.
    /// </param>
    public DebouncedAction(IGrainBase grain, TimeSpan delay, Func<Task> action, bool interleave = false)
        : this(grain, () => delay, action, interleave)
    {
    }

    /// <param name="delay">The delay, asked at each first request: it may change with load (<see cref="AreaReportPacing"/>).</param>
    public DebouncedAction(IGrainBase grain, Func<TimeSpan> delay, Func<Task> action, bool interleave = false)
    {
        _delay = delay;
        _action = action;
        _timer = grain.RegisterGrainTimer(
            _ => RunAsync(),
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = interleave });
    }

    public bool Pending => _pending;

    public void Schedule()
    {
        if (_pending)
        {
            return;
        }
        _pending = true;
        _timer.Change(_delay(), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Waits for a run still in progress, then runs the action now if one is pending (e.g. on deactivation).</summary>
    public async Task FlushAsync()
    {
        try
        {
            await _running;
        }
        catch
        {
            // The timer's run reported its own failure; a pending run below tries again.
        }
        await RunAsync();
    }

    private Task RunAsync()
    {
        if (!_pending)
        {
            return Task.CompletedTask;
        }
        _pending = false;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return _running = _action();
    }

    public void Dispose() => _timer.Dispose();
}
