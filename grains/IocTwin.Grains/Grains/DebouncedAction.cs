namespace IocTwin.Grains;

/// <summary>
/// Runs an action once, a fixed delay after the first of any number of requests, on the grain's own scheduler.
/// Keeps upward reports and write-behind to one call per delay however many readings arrive.
/// </summary>
internal sealed class DebouncedAction : IDisposable
{
    private readonly IGrainTimer _timer;
    private readonly TimeSpan _delay;
    private readonly Func<Task> _action;
    private bool _pending;

    public DebouncedAction(IGrainBase grain, TimeSpan delay, Func<Task> action)
    {
        _delay = delay;
        _action = action;
        _timer = grain.RegisterGrainTimer(
            _ => RunAsync(),
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
    }

    public bool Pending => _pending;

    public void Schedule()
    {
        if (_pending)
        {
            return;
        }
        _pending = true;
        _timer.Change(_delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs the action now if one is pending (e.g. on deactivation).</summary>
    public Task FlushAsync() => _pending ? RunAsync() : Task.CompletedTask;

    private Task RunAsync()
    {
        if (!_pending)
        {
            return Task.CompletedTask;
        }
        _pending = false;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return _action();
    }

    public void Dispose() => _timer.Dispose();
}
