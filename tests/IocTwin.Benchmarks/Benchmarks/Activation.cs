using System.Diagnostics;
using System.Globalization;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// The cold activation of an imported city by its feed: from the feed's start until every sensor has taken a reading
/// (the city root counts it online or stale), or the limit. Rate and process CPU per sensor activated.
/// </summary>
internal sealed record Activation(long Reached, TimeSpan Elapsed, bool Complete, Counters.Window Window, long Sent)
{
    public double SensorsPerSecond => Complete ? Reached / Elapsed.TotalSeconds : double.NaN;

    public static async Task<Activation> WaitAsync(BenchmarkContext context, TwinHost host, CitySpec city, Counters.Snapshot start,
        LatencyFeed feed, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        var root = host.Grains.GetGrain<ICityGrain>(CityGrainKey.Id);
        long reached = 0;
        var said = TimeSpan.Zero;
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            try
            {
                var kpis = (await root.Get()).Kpis;
                reached = (long)((kpis.SensorsOnline.Value ?? 0) + (kpis.SensorsStale.Value ?? 0));
            }
            catch (TimeoutException)
            {
                // A silo busy activating a city may answer late; the next look counts again.
            }
            if (reached >= city.Sensors.Count)
            {
                break;
            }
            if (Stopwatch.GetElapsedTime(started) - said >= TimeSpan.FromSeconds(30))
            {
                said = Stopwatch.GetElapsedTime(started);
                Progress.Say(string.Create(CultureInfo.InvariantCulture,
                    $"  {reached:N0} of {city.Sensors.Count:N0} sensors have taken a reading after {said.TotalSeconds:N0} s"));
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var window = context.Counters.Take().Since(start);
        return new Activation(reached, window.Elapsed, reached >= city.Sensors.Count, window, feed.Sent);
    }

    public string Describe(int sensors)
    {
        var c = CultureInfo.InvariantCulture;
        var rate = Complete ? string.Create(c, $" ({SensorsPerSecond:N0} sensors/s)") : " (NOT REACHED: the run stopped waiting)";
        return string.Create(c, $"cold activation: {Reached:N0} of {sensors:N0} sensors took a reading in {Elapsed.TotalSeconds:N1} s{rate}, ") +
               string.Create(c, $"{Sent:N0} readings acknowledged meanwhile; CPU {Window.CpuMicrosecondsPer(Reached):N0} µs per sensor activated; ") +
               Window.Describe(Reached, "sensor activated");
    }
}
