using IocTwin.History;
using IocTwin.Model;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>
/// One per silo: gathers the updates of the districts, the city and the moving assets living on this silo and sends them,
/// batched, to every API process's observer. Grains never wait on screens. Never removed for being idle: it holds
/// the updates of its current batch, and a worker removed between two flushes would take them with it.
/// </summary>
[StatelessWorker(1, removeIdleWorkers: false)]
public sealed class TwinPublisher(IReadingHistory history, TimeProvider time, ILogger<TwinPublisher> logger) : Grain, ITwinPublisher
{
    // Districts already gather their changes for PublishDelay; this only merges districts reporting together.
    private static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<string, DistrictUpdate> _districts = [];
    private CityView? _city;
    private readonly List<ContextEntityChange> _contextChanges = [];
    private readonly Dictionary<string, AssetUpdate> _assets = [];
    private ITwinObserver[] _observers = [];
    // When the list was last asked for (a Stopwatch timestamp, so that a step of the wall clock cannot stop the
    // refreshes); null: ask at the next send.
    private long? _observersFetched;
    private DebouncedAction _flush = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flush = new DebouncedAction(this, FlushDelay, FlushAsync);
        return Task.CompletedTask;
    }

    /// <summary>Whatever is gathered still goes out when the silo deactivates the publisher.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _flush.FlushAsync();

    public Task Publish(DistrictUpdate update)
    {
        history.RecordKpis(KpiPoints(update, time.GetUtcNow()));
        // Two updates of one district within a batch: keep the KPIs of the later, and the changes of both.
        _districts[update.DistrictId] = _districts.TryGetValue(update.DistrictId, out var earlier) ? Merge(earlier, update) : update;
        _flush.Schedule();
        return Task.CompletedTask;
    }

    public Task PublishCity(CityView update)
    {
        _city = update;
        _flush.Schedule();
        return Task.CompletedTask;
    }

    public Task PublishScenario(ScenarioProgress progress) => SendAtOnceAsync(observer => observer.OnScenario(progress));

    public async Task PublishTopologyChanged(TopologyChange change)
    {
        // Rare and small: sent at once, not batched. Fetched afresh, so that a process registered a moment ago hears of it.
        _observersFetched = null;
        foreach (var observer in await ObserversAsync())
        {
            _ = observer.OnTopologyChanged(change);
        }
    }

    public Task PublishContextEntityChange(ContextEntityChange change)
    {
        _contextChanges.Add(change);
        _flush.Schedule();
        return Task.CompletedTask;
    }

    public Task PublishReport(ReportView report) => SendAtOnceAsync(observer => observer.OnReport(report));

    /// <summary>For what is rare and small: sent at once, not batched.</summary>
    private async Task SendAtOnceAsync(Func<ITwinObserver, Task> send)
    {
        foreach (var observer in await ObserversAsync())
        {
            _ = send(observer);
        }
    }

    public Task PublishAsset(AssetUpdate update)
    {
        var id = update.Asset.Id;
        // Merged with an update not yet sent: the screens last heard of the place and sector before that one.
        _assets[id] = _assets.TryGetValue(id, out var earlier)
            ? update with { PreviousAreaId = earlier.PreviousAreaId, PreviousSector = earlier.PreviousSector ?? update.PreviousSector }
            : update;
        _flush.Schedule();
        return Task.CompletedTask;
    }

    private async Task<ITwinObserver[]> ObserversAsync()
    {
        try
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (_observersFetched is not { } fetched || System.Diagnostics.Stopwatch.GetElapsedTime(fetched, now) > TwinObservers.PublisherRefresh)
            {
                _observers = await GrainFactory.GetGrain<ITwinObserverRegistry>(0).GetObservers();
                // As of when it was asked: a process registering while the answer was on its way is read at the next refresh.
                _observersFetched = now;
            }
        }
        catch (Exception ex)
        {
            // Keep the last known observers; the registry may be moving between silos.
            logger.LogWarning(ex, "Could not refresh twin observers");
        }
        return _observers;
    }

    private async Task FlushAsync()
    {
        DistrictUpdate[] districts = [.. _districts.Values];
        var city = _city;
        ContextEntityChange[] contextChanges = [.. _contextChanges];
        AssetUpdate[] assets = [.. _assets.Values];
        _districts.Clear();
        _city = null;
        _contextChanges.Clear();
        _assets.Clear();
        foreach (var observer in await ObserversAsync())
        {
            try
            {
                // One-way: a slow or dead API process cannot hold up the twin.
                if (districts.Length > 0 || city is not null)
                {
                    _ = observer.OnUpdates(districts, city);
                }
                if (contextChanges.Length > 0)
                {
                    _ = observer.OnContextEntityChanges(contextChanges);
                }
                if (assets.Length > 0)
                {
                    _ = observer.OnAssets(assets);
                }
            }
            catch (Exception ex)
            {
                // A process that died refuses at once until the registry drops it: the others still get every batch.
                logger.LogDebug(ex, "A twin observer refused an update");
            }
        }
    }

    /// <summary>
    /// What KPI history keeps of an update: the area's KPIs (with its open and overdue reports and the assets that
    /// entered and left it) and the traffic of each changed segment.
    /// </summary>
    public static IEnumerable<KpiPoint> KpiPoints(DistrictUpdate update, DateTimeOffset at)
    {
        var kpis = update.Kpis;
        (string Name, Kpi? Kpi)[] districtKpis =
        [
            ("meanSpeedKmh", kpis.MeanSpeedKmh), ("congestedKm", kpis.CongestedKm), ("worstAqi", kpis.WorstAqi),
            ("maxWaterLevelM", kpis.MaxWaterLevelM), ("sensorsOnline", kpis.SensorsOnline), ("sensorsStale", kpis.SensorsStale),
            ("sensorsOffline", kpis.SensorsOffline), ("openAlerts", kpis.OpenAlerts),
            // Null on an area that has not reported since these were counted: no point rather than a false zero.
            ("openReports", kpis.OpenReports), ("overdueReports", kpis.OverdueReports), ("assetsEntered", kpis.AssetsEntered),
            ("assetsLeft", kpis.AssetsLeft),
        ];
        foreach (var (name, kpi) in districtKpis)
        {
            if (kpi?.Value is { } value && double.IsFinite(value))
            {
                yield return new KpiPoint(update.DistrictId, at, name, value);
            }
        }
        // Field by field, not through an array of them: an update carries every segment that changed, and on a busy
        // city an array per segment was a sixtieth of what the silo allocated.
        foreach (var segment in update.Segments)
        {
            var traffic = segment.Traffic;
            if (Finite(traffic.SpeedKmh) is { } speed) yield return new KpiPoint(segment.Id, at, "speedKmh", speed);
            if (Finite(traffic.FlowVph) is { } flow) yield return new KpiPoint(segment.Id, at, "flowVph", flow);
            if (Finite(traffic.Occupancy) is { } occupancy) yield return new KpiPoint(segment.Id, at, "occupancy", occupancy);
            if (traffic.Los is { } los) yield return new KpiPoint(segment.Id, at, "los", (int)los + 1);
            if (Finite(traffic.WaterLevelM) is { } water) yield return new KpiPoint(segment.Id, at, "waterLevelM", water);
            yield return new KpiPoint(segment.Id, at, "open", segment.Status is SegmentStatus.Closed or SegmentStatus.Flooded ? 0 : 1);
        }
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static DistrictUpdate Merge(DistrictUpdate earlier, DistrictUpdate later) => later with
    {
        Segments = [.. later.Segments.UnionBy(earlier.Segments, s => s.Id)],
        Sensors = [.. later.Sensors.UnionBy(earlier.Sensors, s => s.Id)],
        // Every step of an alert's life is news to its screens.
        Alerts = [.. earlier.Alerts, .. later.Alerts],
    };
}
