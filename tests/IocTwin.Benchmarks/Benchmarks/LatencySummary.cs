using System.Diagnostics;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>Latencies of one round at a set of receivers: p50, p99, and how many of the expected arrivals were seen.</summary>
internal sealed record LatencySummary(double P50, double P99, long Expected, long Seen, long Frames, HashSet<int> SeenProbes)
{
    public double Delivered => Expected == 0 ? double.NaN : (double)Seen / Expected;

    public static LatencySummary Of(IReadOnlyList<Probe> probes, IReadOnlyList<IProbeReceiver> receivers)
    {
        var latencies = new List<double>();
        var seenProbes = new HashSet<int>();
        long expected = 0, frames = 0;
        var byDistrict = receivers.GroupBy(r => r.DistrictId).ToDictionary(g => g.Key ?? "", g => g.Count());
        foreach (var probe in probes)
        {
            if (probe.Refused)
            {
                continue;
            }
            expected += byDistrict.GetValueOrDefault(probe.DistrictId) + byDistrict.GetValueOrDefault("");
        }
        foreach (var receiver in receivers)
        {
            frames += receiver.Frames;
            foreach (var (probe, arrived) in receiver.TakeArrivals())
            {
                if (probe < probes.Count && probes[probe] is { Refused: false, Acknowledged: { } ack })
                {
                    seenProbes.Add(probe);
                    latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(ack, arrived).TotalMilliseconds));
                }
            }
        }
        latencies.Sort();
        return new LatencySummary(LatencyBenchmark.Percentile(latencies, 0.50), LatencyBenchmark.Percentile(latencies, 0.99), expected, latencies.Count, frames, seenProbes);
    }
}
