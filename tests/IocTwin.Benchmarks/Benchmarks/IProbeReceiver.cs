namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>Where the latency benchmark watches readings arrive: its own twin observer, or a screen.</summary>
internal interface IProbeReceiver
{
    /// <summary>The one district this receiver watches; null when it sees them all.</summary>
    string? DistrictId { get; }

    long Frames { get; }

    /// <summary>Arrivals of the current round, as (probe index, Stopwatch timestamp).</summary>
    List<(int Probe, long Arrived)> TakeArrivals();
}
