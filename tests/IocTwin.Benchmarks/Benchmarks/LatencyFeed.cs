using System.Diagnostics;
using System.Globalization;
using IocTwin.Benchmarks.Harness;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>Posts readings at a steady rate, ten batches a second, across every sensor of the city in turn.</summary>
internal sealed class LatencyFeed(TwinHost host, CitySpec city, ProbeBook book, double readingsPerSecond)
{
    private readonly List<double> _ackMilliseconds = [];
    private long _sent;
    private long _failed;
    private long _refused;

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Posts the twin refused with 429 (ingest push-back). Their readings were not applied: the book takes them back, so
    /// they are expected at no receiver and later readings of the same sensors are matched at their true counts.
    /// </summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Readings acknowledged so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>How long POSTs took to be acknowledged since the last call: p50, p99 and the slowest.</summary>
    public string TakeAckMilliseconds()
    {
        lock (_ackMilliseconds)
        {
            _ackMilliseconds.Sort();
            var text = string.Create(CultureInfo.InvariantCulture,
                $"p50 {LatencyBenchmark.Percentile(_ackMilliseconds, 0.5):N1} ms / p99 {LatencyBenchmark.Percentile(_ackMilliseconds, 0.99):N1} ms / max {(_ackMilliseconds.Count == 0 ? double.NaN : _ackMilliseconds[^1]):N1} ms");
            _ackMilliseconds.Clear();
            return text;
        }
    }

    /// <summary>Forgets the POST times taken so far: the next summary covers only what follows.</summary>
    public void ForgetAckMilliseconds()
    {
        lock (_ackMilliseconds)
        {
            _ackMilliseconds.Clear();
        }
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        PacedFeed.RunAsync(host, city, readingsPerSecond, (http, batch, sensors) =>
        {
            var probes = new List<Probe>();
            foreach (var sensor in sensors)
            {
                if (book.IsWatched(sensor.Id))
                {
                    probes.Add(book.Sending(sensor.Id, sensor.DistrictId));
                }
            }
            return PostAsync(http, Readings.PooledJson(batch), batch.Count, probes);
        }, cancellationToken);

    private async Task PostAsync(HttpClient http, PooledBody body, int count, List<Probe> probes)
    {
        using var owned = body;
        var started = Stopwatch.GetTimestamp();
        using var content = body.Content();
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync("/api/v1/readings", content);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failed);
            return;
        }
        using var _ = response;
        var acknowledged = Stopwatch.GetTimestamp();
        if (!response.IsSuccessStatusCode)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                // Nothing of a refused batch is stored or applied: its readings must not be booked as sent.
                Interlocked.Increment(ref _refused);
                book.Refused(probes);
            }
            else
            {
                Interlocked.Increment(ref _failed);
            }
            return;
        }
        foreach (var probe in probes)
        {
            probe.Acknowledged = acknowledged;
        }
        Interlocked.Add(ref _sent, count);
        lock (_ackMilliseconds)
        {
            _ackMilliseconds.Add(Stopwatch.GetElapsedTime(started, acknowledged).TotalMilliseconds);
        }
    }
}
