using System.Diagnostics;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>A second twin observer in the API process: sees updates where the SignalR fan-out starts.</summary>
internal sealed class ProbeObserver(ProbeBook book, HashSet<string> districts) : ITwinObserver, IProbeReceiver
{
    private readonly ArrivalLog _log = new(book);
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstUpdate => _first.Task;

    public string? DistrictId => null;

    public long Frames => Interlocked.Read(ref _log.Frames);

    public Task OnScenario(ScenarioProgress progress) => Task.CompletedTask;

    public Task OnContextEntityChanges(ContextEntityChange[] changes) => Task.CompletedTask;
    public Task OnTopologyChanged(TopologyChange change) => Task.CompletedTask;

    public Task OnAssets(AssetUpdate[] assets) => Task.CompletedTask;

    public Task OnReport(ReportView report) => Task.CompletedTask;

    public Task OnUpdates(DistrictUpdate[] updates, CityView? city)
    {
        var now = Stopwatch.GetTimestamp();
        _first.TrySetResult();
        Interlocked.Increment(ref _log.Frames);
        foreach (var district in updates)
        {
            if (!districts.Contains(district.DistrictId))
            {
                continue;
            }
            foreach (var sensor in district.Sensors)
            {
                _log.Saw(sensor.Id, sensor.ReadingCount, now);
            }
        }
        return Task.CompletedTask;
    }

    public List<(int Probe, long Arrived)> TakeArrivals() => _log.TakeArrivals();
}
