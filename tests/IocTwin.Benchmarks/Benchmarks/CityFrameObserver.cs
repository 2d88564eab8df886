using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// A twin observer in the API process that keeps, for every frame carrying the city, when it arrived and the time of
/// the newest reading behind the city's KPIs (<c>SensorsOnline.AsOf</c>: when that reading reached its sensor grain).
/// </summary>
internal sealed class CityFrameObserver(TimeProvider clock) : ITwinObserver
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset Arrived, DateTimeOffset? AsOf)> _frames = [];
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the first city frame whose KPIs rest on a reading.</summary>
    public Task FirstFrame => _first.Task;

    public Task OnScenario(ScenarioProgress progress) => Task.CompletedTask;

    public Task OnContextEntityChanges(ContextEntityChange[] changes) => Task.CompletedTask;
    public Task OnTopologyChanged(TopologyChange change) => Task.CompletedTask;

    public Task OnAssets(AssetUpdate[] assets) => Task.CompletedTask;

    public Task OnReport(ReportView report) => Task.CompletedTask;

    public Task OnUpdates(DistrictUpdate[] districts, CityView? city)
    {
        if (city is null)
        {
            return Task.CompletedTask;
        }
        var arrived = clock.GetUtcNow();
        var asOf = city.Kpis.SensorsOnline.AsOf;
        lock (_gate)
        {
            _frames.Add((arrived, asOf));
        }
        if (asOf is not null)
        {
            _first.TrySetResult();
        }
        return Task.CompletedTask;
    }

    /// <summary>Staleness in milliseconds of each city frame that arrived in [from, to).</summary>
    public List<double> StalenessBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return [.. _frames
                .Where(f => f.Arrived >= from && f.Arrived < to && f.AsOf is not null)
                .Select(f => (f.Arrived - f.AsOf!.Value).TotalMilliseconds)];
        }
    }

    /// <summary>When the first city frame resting on a reading at least as new as <paramref name="asOf"/> arrived; null if none has.</summary>
    public DateTimeOffset? FirstShowing(DateTimeOffset asOf)
    {
        lock (_gate)
        {
            return _frames.Where(f => f.AsOf >= asOf).Select(f => (DateTimeOffset?)f.Arrived).FirstOrDefault();
        }
    }
}
