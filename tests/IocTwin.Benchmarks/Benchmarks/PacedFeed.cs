using IocTwin.Api.Ingest;
using IocTwin.Benchmarks.Harness;
using IocTwin.Feed;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// Readings for the whole city at a steady rate, a tenth of a second's worth per POST, sweeping its sensors in a fixed
/// shuffled order; the caller posts each batch (and learns which sensors it holds), without waiting for the previous.
/// </summary>
public static class PacedFeed
{
    public static async Task RunAsync(TwinHost host, CitySpec city, double readingsPerSecond,
        Func<HttpClient, List<ParsedReading>, List<SensorSpec>, Task> post, CancellationToken cancellationToken)
    {
        var feed = new SyntheticFeed();
        var segments = city.Segments.ToDictionary(s => s.Id);
        var sensors = city.Sensors.ToArray();
        new Random(5).Shuffle(sensors);
        using var http = host.CreateIngestClient();
        var perTick = Math.Max(1, (int)Math.Round(readingsPerSecond / 10));
        var next = 0;
        var pending = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = DateTimeOffset.UtcNow;
            var batch = new List<ParsedReading>(perTick);
            var batchSensors = new List<SensorSpec>(perTick);
            for (var i = 0; i < perTick; i++)
            {
                var sensor = sensors[next++ % sensors.Length];
                var segment = sensor.SegmentId is { } id ? segments.GetValueOrDefault(id) : null;
                batch.Add(new ParsedReading(i, sensor.Id, feed.Next(sensor, segment, now)));
                batchSensors.Add(sensor);
            }
            pending.RemoveAll(t => t.IsCompleted);
            pending.Add(post(http, batch, batchSensors));
        }
        await Task.WhenAll(pending);
    }
}
