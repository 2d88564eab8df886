using IocTwin.Api.Ingest;
using IocTwin.Domain;
using IocTwin.Feed;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Feed;

public sealed class FeedOptions
{
    public const string SectionName = "Feed";

    public bool Enabled { get; set; }

    /// <summary>How often each sensor reports.</summary>
    public TimeSpan SensorPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the feed looks for sensors added since it started.</summary>
    public TimeSpan TopologyRefresh { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// A live synthetic feed for demonstrations: every sensor of the twin reports once per period, spread over the period,
/// through the same ingest path as POST /api/v1/readings.
/// </summary>
public sealed class SyntheticFeedService(
    IGrainFactory grains, IngestService ingest, TimeProvider time, TwinTimeZone timeZone, IOptions<FeedOptions> options,
    ILogger<SyntheticFeedService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly SyntheticFeed _feed = new(timeZone: timeZone);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ticksPerPeriod = Math.Max(1, (int)(options.Value.SensorPeriod / Tick));
        var sensors = new List<(SensorSpec Sensor, SegmentSpec? Segment)>();
        var nextRefresh = DateTimeOffset.MinValue;
        var tick = 0L;
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = time.GetUtcNow();
                if (now >= nextRefresh)
                {
                    var loaded = await LoadSensorsAsync();
                    // Until the city is loaded there is nothing to feed, and while it is still loading (the sample
                    // registers its sensors over several seconds) there is more to come: look again next tick.
                    nextRefresh = loaded.Count > 0 && loaded.Count == sensors.Count ? now + options.Value.TopologyRefresh : now;
                    sensors = loaded;
                }
                var slot = (int)(tick++ % ticksPerPeriod);
                var batch = new List<ParsedReading>();
                for (var i = slot; i < sensors.Count; i += ticksPerPeriod)
                {
                    var (sensor, segment) = sensors[i];
                    batch.Add(new ParsedReading(batch.Count, sensor.Id, _feed.Next(sensor, segment, now)));
                }
                if (batch.Count > 0)
                {
                    await ingest.IngestAsync(batch, []);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The cluster may be restarting: the feed waits and goes on.
                logger.LogWarning(ex, "Synthetic feed tick failed");
                nextRefresh = DateTimeOffset.MinValue;
            }
        }
    }

    private async Task<List<(SensorSpec, SegmentSpec?)>> LoadSensorsAsync()
    {
        var views = await LiveTopology.ReadViewsAsync(grains, await LiveTopology.DistrictIdsAsync(grains));
        var segments = views.Segments.ToDictionary(s => s.Id, s => s.Spec!);
        return [.. views.Sensors.Select(s => (
            new SensorSpec(s.Id, s.Kind, s.Sector, s.Location.GetValueOrDefault(), s.DistrictId, s.SegmentId, s.Name),
            s.SegmentId is { } segmentId ? segments.GetValueOrDefault(segmentId) : null))];
    }
}
