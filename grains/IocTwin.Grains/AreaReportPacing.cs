namespace IocTwin.Grains;

/// <summary>
/// One per silo: how long the areas holding segments and sensors gather changes before they report. Such an area
/// counts its KPIs over all its members at each report, and it hears from the rollup at every outbox cycle while any of
/// its roads changes: with a feed across a city of 1,000 areas and 500,000 sensors those counts took a fifth of the
/// silo's CPU, and the twin fell behind the feed. While the areas' reports take more than
/// <see cref="CpuShareBeforeStretch"/> of the silo's cores, their gathering stretches (up to <see cref="MaxStretch"/>
/// times <see cref="TwinOptions.PublishDelay"/>) so that each report carries more; at normal load it stays as set.
/// Areas above them count only their children and are not stretched, so the levels above add no delay.
/// </summary>
public sealed class AreaReportPacing(TimeProvider time)
{
    /// <summary>The share of the silo's cores the areas' reports may take before their gathering stretches.</summary>
    public const double CpuShareBeforeStretch = 0.05;

    /// <summary>The most a gathering stretches: 10 × 25 ms by default, a quarter of the one-second freshness the screens need.</summary>
    public const double MaxStretch = 10;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private long _spentTicks;
    private long _since = time.GetTimestamp();
    private double _stretch = 1;

    /// <summary>How many times its configured delay an area with members of its own gathers now.</summary>
    public double Stretch
    {
        get
        {
            if (time.GetElapsedTime(Volatile.Read(ref _since)) >= Interval)
            {
                Update();
            }
            return Volatile.Read(ref _stretch);
        }
    }

    /// <summary>Counts the time an area's report took.</summary>
    public void Spent(TimeSpan took) => Interlocked.Add(ref _spentTicks, took.Ticks);

    private void Update()
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(_since, now);
            if (elapsed < Interval)
            {
                return;
            }
            var share = TimeSpan.FromTicks(Interlocked.Exchange(ref _spentTicks, 0)) / elapsed / Environment.ProcessorCount;
            // The reports' cost falls about as their gathering stretches: at the share measured under this stretch, the
            // stretch that would bring it to the bound. Half way each second, so that one busy second does not swing it.
            var wanted = Math.Clamp(_stretch * share / CpuShareBeforeStretch, 1, MaxStretch);
            Volatile.Write(ref _stretch, Math.Clamp((_stretch + wanted) / 2, 1, MaxStretch));
            Volatile.Write(ref _since, now);
        }
    }
}
