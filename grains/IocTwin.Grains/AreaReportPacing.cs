namespace IocTwin.Grains;

/// <summary>
/// One per silo: how long the areas holding segments and sensors gather changes before they report. Such an area
/// counts its KPIs over all its members at each report, and it hears from the rollup at every outbox cycle while any of
/// its roads changes: with a feed across a city of 1,000 areas and 500,000 sensors those counts took a fifth of the
/// silo's CPU, and the twin fell behind the feed. While the silo's process keeps
/// <see cref="ProcessBusyBeforeStretch"/> of its cores busy and the areas' reports take more than
/// <see cref="CpuShareBeforeStretch"/> of them, their gathering stretches (up to <see cref="MaxStretch"/> times
/// <see cref="TwinOptions.PublishDelay"/>) so that each report carries more. With cores to spare it stays as set: a
/// stretch then costs the screens up to a quarter of a second on every update and saves nothing anyone is short of.
/// Areas above them count only their children and are not stretched, so the levels above add no delay.
/// </summary>
public sealed class AreaReportPacing
{
    /// <summary>The share of its cores the silo's process keeps busy before the areas' gathering may stretch.</summary>
    public const double ProcessBusyBeforeStretch = 0.8;

    /// <summary>The share of the silo's cores the areas' reports may take before their gathering stretches.</summary>
    public const double CpuShareBeforeStretch = 0.05;

    /// <summary>The most a gathering stretches: 10 × 25 ms by default, a quarter of the one-second freshness the screens need.</summary>
    public const double MaxStretch = 10;

    private readonly ProcessLoad _load;
    private long _spentTicks;
    private double _stretch = 1;

    public AreaReportPacing(TimeProvider time)
        : this(time, () => Environment.CpuUsage.TotalTime)
    {
    }

    /// <param name="processCpu">The CPU time the process has used so far.</param>
    public AreaReportPacing(TimeProvider time, Func<TimeSpan> processCpu) => _load = new ProcessLoad(time, processCpu);

    /// <summary>How many times its configured delay an area with members of its own gathers now.</summary>
    public double Stretch
    {
        get
        {
            if (_load.Due)
            {
                Update();
            }
            return Volatile.Read(ref _stretch);
        }
    }

    /// <summary>Counts the time an area's report took.</summary>
    public void Spent(TimeSpan took) => Interlocked.Add(ref _spentTicks, took.Ticks);

    /// <summary>Once a second, by the one caller whose look at the load answered.</summary>
    private void Update()
    {
        if (_load.Look() is not var (busy, elapsed))
        {
            return;
        }
        var share = TimeSpan.FromTicks(Interlocked.Exchange(ref _spentTicks, 0)) / elapsed / Environment.ProcessorCount;
        // The reports' cost falls about as their gathering stretches: at the share measured under this stretch, the
        // stretch that would bring it to the bound. Half way each second, so that one busy second does not swing it.
        var stretch = Volatile.Read(ref _stretch);
        var wanted = busy < ProcessBusyBeforeStretch ? 1 : Math.Clamp(stretch * share / CpuShareBeforeStretch, 1, MaxStretch);
        Volatile.Write(ref _stretch, Math.Clamp((stretch + wanted) / 2, 1, MaxStretch));
    }
}
