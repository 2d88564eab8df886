namespace IocTwin.Grains;

/// <summary>
/// How busy the process kept the machine's cores between looks, a look at most once a second: what the silo's pacing of
/// area reports and of checkpoints stretches by. Thread-safe; a look that comes too soon answers nothing.
/// </summary>
internal sealed class ProcessLoad
{
    /// <summary>The shortest time between two looks: one busy moment does not swing what is paced by it.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly Func<TimeSpan> _processCpu;
    private readonly Lock _gate = new();
    private long _since;
    private TimeSpan _cpuSince;

    /// <param name="processCpu">The CPU time the process has used so far.</param>
    public ProcessLoad(TimeProvider time, Func<TimeSpan> processCpu)
    {
        (_time, _processCpu) = (time, processCpu);
        _since = time.GetTimestamp();
        _cpuSince = processCpu();
    }

    /// <summary>Whether a look now would answer.</summary>
    public bool Due => _time.GetElapsedTime(Volatile.Read(ref _since)) >= Interval;

    /// <summary>
    /// The share of all cores the process used since the last look, and how long ago that was; null when it was less
    /// than <see cref="Interval"/> ago (another caller looked meanwhile).
    /// </summary>
    public (double Busy, TimeSpan Elapsed)? Look()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_since, now);
            if (elapsed < Interval)
            {
                return null;
            }
            var cpu = _processCpu();
            var busy = (cpu - _cpuSince) / elapsed / Environment.ProcessorCount;
            _cpuSince = cpu;
            Volatile.Write(ref _since, now);
            return (busy, elapsed);
        }
    }
}
