using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace IocTwin.Grains;

/// <summary>
/// One per silo: when each grain's live state is next written behind (<see cref="StateWriteBehind"/>). A grain timer per
/// grain would keep a runtime timer for every grain with changes not yet written — half a million on a city of 500,000
/// sensors, which the runtime's timer queue walks several times a second; this keeps them in one queue, looked at every
/// second (or a quarter of the delay when that is shorter), and calls each grain when its write is due. Writes are due
/// minutes apart, so a write comes up to one tick late. While the silo's process keeps most of its cores busy, the writes
/// that may come later (<see cref="TwinOptions.CheckpointMaxStretch"/>) are asked for further apart: on a city of 500,000
/// sensors under a full feed, checkpoints every 5 minutes were some 1,800 writes a second; put off, a reading cost a
/// quarter less CPU.
/// </summary>
public sealed class WriteBehindSchedule : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Entry, long> _due = new();
    private readonly TimeProvider _time;
    private readonly ILogger<WriteBehindSchedule> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
    /// <summary>How often the schedule looks for writes that are due.</summary>
    private readonly TimeSpan _tick;
    private Task _loop = Task.CompletedTask;
    private readonly ProcessLoad _load;
    private readonly double _maxStretch;
    private double _stretch = 1;

    public WriteBehindSchedule(IOptions<TwinOptions> options, TimeProvider time, ILogger<WriteBehindSchedule> logger, IGrainFactory grains)
        : this(options, time, logger, grains, () => Environment.CpuUsage.TotalTime)
    {
    }

    /// <param name="processCpu">The CPU time the process has used so far.</param>
    public WriteBehindSchedule(IOptions<TwinOptions> options, TimeProvider time, ILogger<WriteBehindSchedule> logger, IGrainFactory grains,
        Func<TimeSpan> processCpu)
    {
        _load = new ProcessLoad(time, processCpu);
        _maxStretch = options.Value.CheckpointMaxStretch;
        if (!(_maxStretch is >= 1 and <= MaxStretchAllowed))
        {
            throw new OptionsValidationException("Twin", typeof(TwinOptions),
                [$"Twin:CheckpointMaxStretch must be from 1 to {MaxStretchAllowed} (times Twin:PersistDelay); it is {_maxStretch}."]);
        }
        Grains = grains;
        Delay = options.Value.PersistDelay;
        Interleave = options.Value.InterleaveWriteBehind;
        _time = time;
        _logger = logger;
        // A quarter of the delay when it is short (tests, a store that must be current), else once a second.
        _tick = TimeSpan.FromTicks(Math.Clamp(options.Value.PersistDelay.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
    }

    /// <summary>Makes the grain references the due writes are called through.</summary>
    internal IGrainFactory Grains { get; }

    /// <summary>How long after a grain's first change its state is written (<see cref="TwinOptions.PersistDelay"/>).</summary>
    internal TimeSpan Delay { get; }

    /// <summary>
    /// Whether the grain's calls run while its write awaits the store (<see cref="TwinOptions.InterleaveWriteBehind"/>):
    /// for a store that copies the state when the write is asked for, so that a grain whose write waits for the
    /// database keeps taking readings.
    /// </summary>
    internal bool Interleave { get; }

    /// <summary>The most <see cref="TwinOptions.CheckpointMaxStretch"/> may be: a checkpoint some hours after its change.</summary>
    public const double MaxStretchAllowed = 100;

    /// <summary>How many times <see cref="Delay"/> a write that may come later is asked for now.</summary>
    public double Stretch
    {
        get
        {
            if (_load.Due)
            {
                LookAtLoad();
            }
            return Volatile.Read(ref _stretch);
        }
    }

    /// <summary>
    /// How long from now a grain's write comes: a random part of the delay for its first, so that grains activated
    /// together spread their writes; stretched while the silo is busy when the grain's writes may come later.
    /// </summary>
    public TimeSpan NextDelay(bool first, bool mayStretch) =>
        (first ? Delay * Random.Shared.NextDouble() : Delay) * (mayStretch ? Stretch : 1);

    /// <summary>
    /// At most once a second, by the one caller whose look at the load answered: busy (as the areas' pacing counts
    /// busy), the stretch moves half way to its bound for each second since the last look; with cores to spare, back.
    /// </summary>
    private void LookAtLoad()
    {
        if (_load.Look() is not var (busy, elapsed))
        {
            return;
        }
        var wanted = busy >= AreaReportPacing.ProcessBusyBeforeStretch ? _maxStretch : 1;
        // Half way per second that passed: a silo quiet for minutes, asked again, is back at the delay set.
        var kept = Math.Pow(0.5, elapsed / ProcessLoad.Interval);
        Volatile.Write(ref _stretch, Math.Clamp(wanted + (Volatile.Read(ref _stretch) - wanted) * kept, 1, _maxStretch));
    }

    /// <summary>A write waiting in the schedule; its write is let go when its grain deactivates first.</summary>
    internal sealed class Entry(StateWriteBehind write)
    {
        public StateWriteBehind? Write { get; set; } = write;
    }

    /// <summary>Calls the write's grain once <paramref name="delay"/> has passed.</summary>
    internal Entry Add(StateWriteBehind write, TimeSpan delay)
    {
        var entry = new Entry(write);
        var due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
        lock (_gate)
        {
            _due.Enqueue(entry, due);
        }
        return entry;
    }

    /// <summary>Takes the writes due now and calls their grains.</summary>
    private void RunDue()
    {
        List<StateWriteBehind> due = [];
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            while (_due.TryPeek(out _, out var at) && at <= now)
            {
                // A grain gone (deactivated, its write flushed) is not called, so no grain is woken for nothing.
                if (_due.Dequeue().Write is { Pending: true } write)
                {
                    due.Add(write);
                }
            }
        }
        foreach (var write in due)
        {
            write.CallGrain().ContinueWith(t =>
            {
                // A call that did not reach the grain leaves its write pending, and no later change asks again: it is
                // called for again shortly (skipped then if the grain wrote meanwhile). A write the store refused is
                // not pending any more: the grain's next change or its deactivation writes again.
                _logger.LogWarning(t.Exception, "A write-behind failed; called for again in {Retry} if still pending", Retry);
                write.CallAgainAfter(Retry);
            }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WriteBehindSchedule), ServiceLifecycleStage.Active, _ =>
        {
            _loop = Task.Run(LoopAsync);
            return Task.CompletedTask;
        }, async _ =>
        {
            // Grains write what is pending as they deactivate: nothing is left to this schedule at stop.
            await _stopping.CancelAsync();
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        });

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                RunDue();
            }
        }
        catch (OperationCanceledException)
        {
            // Silo stopping.
        }
    }
}

public static class WriteBehindScheduleRegistration
{
    /// <summary>Registers the silo's write-behind schedule; every silo hosting twin grains needs one.</summary>
    public static IServiceCollection AddTwinWriteBehind(this IServiceCollection services)
    {
        services.AddSingleton<WriteBehindSchedule>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WriteBehindSchedule>());
        return services;
    }
}
