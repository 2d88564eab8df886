using System.Collections.Concurrent;
using System.Diagnostics;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace IocTwin.Grains;

/// <summary>
/// One per silo: the live rollup from sensors to segments and from segments to districts. A grain that changed posts
/// its latest snapshot here instead of calling its parent; every <see cref="TwinOptions.RollupDelay"/> the outbox sends
/// each parent one call carrying the snapshots of all its children on this silo. At city scale a parent hears from
/// many children within one period, so a reading costs a share of a call to its segment, not a call of its own.
/// Both stages run in one cycle: the segments' snapshots posted while they took their sensors' reports go on to the
/// districts at once. Under a burst the cycle stretches (see <see cref="CallsPerSecondBeforeStretch"/>). Topology
/// changes (attach, detach) do not pass here: they are persisted and sent directly.
/// </summary>
public sealed class RollupOutbox : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IGrainFactory _grains;
    private readonly ILogger<RollupOutbox> _logger;
    private readonly TimeSpan _period;
    private readonly ParentBuffer<SensorSnapshot> _sensorsBySegment;
    private readonly ParentBuffer<SensorSnapshot> _sensorsByDistrict;
    private readonly ParentBuffer<SegmentSnapshot> _segmentsByDistrict;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public RollupOutbox(IGrainFactory grains, IOptions<TwinOptions> options, ILogger<RollupOutbox> logger)
    {
        _grains = grains;
        _logger = logger;
        _period = options.Value.RollupDelay;
        // Grain references are kept: making one costs more than the call it is for.
        var segmentGrains = new ConcurrentDictionary<string, IRoadSegmentGrain>(StringComparer.Ordinal);
        var districtGrains = new ConcurrentDictionary<string, IDistrictGrain>(StringComparer.Ordinal);
        IRoadSegmentGrain Segment(string id) =>
            segmentGrains.TryGetValue(id, out var grain) ? grain : segmentGrains[id] = grains.GetGrain<IRoadSegmentGrain>(id);
        IDistrictGrain District(string id) =>
            districtGrains.TryGetValue(id, out var grain) ? grain : districtGrains[id] = grains.GetGrain<IDistrictGrain>(id);
        _sensorsBySegment = new(s => s.SensorId, (segmentId, sensors) => Segment(segmentId).ReportSensors(sensors), logger);
        _sensorsByDistrict = new(s => s.SensorId, (districtId, sensors) => District(districtId).ReportSensors(sensors), logger);
        _segmentsByDistrict = new(s => s.SegmentId, (districtId, segments) => District(districtId).ReportSegments(segments), logger);
    }

    /// <summary>A sensor's latest state for its segment, or for its district when it sits on no segment.</summary>
    public void Post(SensorSpec spec, SensorSnapshot sensor)
    {
        if (spec.SegmentId is { } segmentId)
        {
            _sensorsBySegment.Post(segmentId, sensor);
        }
        else
        {
            _sensorsByDistrict.Post(spec.DistrictId, sensor);
        }
    }

    /// <summary>A segment's latest state for its district.</summary>
    public void Post(string districtId, SegmentSnapshot segment) => _segmentsByDistrict.Post(districtId, segment);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RollupOutbox), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        // What grains posted up to now still reaches their parents, as far as the shutdown allows.
        try
        {
            await FlushAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _logger.LogWarning("Rollup reports still unsent at shutdown");
        }
    }

    /// <summary>
    /// Parent calls per second the outbox makes before it stretches its cycle. A feed spread over a city touches nearly
    /// one segment per reading in a short cycle, so this is about the feed rate up to which the cycle stays short:
    /// 20,000 readings/s cycle in about 70 ms (at 10,000 they stretched to the full 500 ms, which screens saw), while from
    /// about 60,000 readings/s every segment is called in each cycle and <see cref="MaxCycle"/> bounds the calls alike.
    /// </summary>
    public const int CallsPerSecondBeforeStretch = 20_000;

    /// <summary>
    /// The longest a stretched cycle lasts, whatever the period: a short period buys latency at normal load without
    /// costing more calls under a burst.
    /// </summary>
    public static readonly TimeSpan MaxCycle = TimeSpan.FromMilliseconds(500);

    private async Task RunAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var calls = await FlushAsync();
                // Under a city-scale burst most parents hear from one child per period, and the calls cost more than
                // the readings. Waiting longer lets each call carry more children: updates reach screens a few hundred
                // milliseconds later instead of the silo spending itself on calls. Quiet or normal load: one period.
                var cycle = TimeSpan.FromSeconds(Math.Clamp((double)calls / CallsPerSecondBeforeStretch,
                    _period.TotalSeconds, Math.Max(_period.TotalSeconds, MaxCycle.TotalSeconds)));
                var wait = cycle - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stopping.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends one cycle; the number of parent calls it made.</summary>
    private async Task<int> FlushAsync()
    {
        try
        {
            // Segments post their own snapshots while they take their sensors' reports: wait for those (up to a
            // period, so one slow parent cannot hold up the city) and send them on in the same cycle.
            List<Task> sensorReports = [.. _sensorsBySegment.SendAll(), .. _sensorsByDistrict.SendAll()];
            await Task.WhenAny(Task.WhenAll(sensorReports), Task.Delay(_period));
            var segmentReports = _segmentsByDistrict.SendAll();
            await Task.WhenAny(Task.WhenAll(segmentReports), Task.Delay(_period));
            return sensorReports.Count + segmentReports.Count;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Rollup cycle failed");
            return 0;
        }
    }

    /// <summary>
    /// Latest child snapshots per parent, in stripes by parent, each with its own lock: every applied reading posts here
    /// from whichever thread runs its sensor, and with one lock for the silo the threads spent a tenth of the CPU
    /// spinning on it at city scale (500,000 sensors).
    /// </summary>
    private sealed class ParentBuffer<TChild>(Func<TChild, string> childId, Func<string, TChild[], Task> send, ILogger logger)
    {
        private readonly ParentStripe<TChild>[] _stripes = [.. Enumerable.Range(0, Math.Max(8, Environment.ProcessorCount * 4))
            .Select(_ => new ParentStripe<TChild>(childId, send, logger))];

        public void Post(string parentId, TChild child) =>
            _stripes[(uint)StringComparer.Ordinal.GetHashCode(parentId) % (uint)_stripes.Length].Post(parentId, child);

        public List<Task> SendAll()
        {
            List<Task> sends = [];
            foreach (var stripe in _stripes)
            {
                sends.AddRange(stripe.SendAll());
            }
            return sends;
        }
    }

    /// <summary>
    /// Latest child snapshots per parent of one stripe. A parent has at most one call in flight, so its reports arrive in order;
    /// what could not be sent (a silo going down) is kept for the next cycle unless a newer snapshot replaced it.
    /// Every applied reading posts here, so the lock is held only to swap the pending reports and mark parents in
    /// flight: the arrays a cycle sends are built outside it, and the per-parent maps are reused from cycle to cycle.
    /// </summary>
    private sealed class ParentStripe<TChild>(Func<TChild, string> childId, Func<string, TChild[], Task> send, ILogger logger)
    {
        private readonly Lock _gate = new();
        private Dictionary<string, Dictionary<string, TChild>> _pending = new(StringComparer.Ordinal);
        // The map swapped out at the last cycle, emptied, to be swapped in at the next: no new map of parents per cycle.
        private Dictionary<string, Dictionary<string, TChild>> _spare = new(StringComparer.Ordinal);
        private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
        // Emptied child maps, taken again by parents that report in a later cycle.
        private readonly Stack<Dictionary<string, TChild>> _emptied = new();

        public void Post(string parentId, TChild child)
        {
            lock (_gate)
            {
                if (!_pending.TryGetValue(parentId, out var children))
                {
                    _pending[parentId] = children = _emptied.TryPop(out var reused) ? reused : new(StringComparer.Ordinal);
                }
                children[childId(child)] = child;
            }
        }

        public List<Task> SendAll()
        {
            var ready = new List<(string Parent, Dictionary<string, TChild> Children)>();
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    return [];
                }
                var swapped = _pending;
                _pending = _spare;
                foreach (var (parent, children) in swapped)
                {
                    if (_inFlight.Add(parent))
                    {
                        ready.Add((parent, children));
                    }
                    else
                    {
                        // Nothing was posted since the swap (the lock is held): the parent's reports wait as they were.
                        _pending[parent] = children;
                    }
                }
                swapped.Clear();
                _spare = swapped;
            }
            var sends = new List<Task>(ready.Count);
            var emptied = new List<Dictionary<string, TChild>>(ready.Count);
            foreach (var (parent, children) in ready)
            {
                TChild[] batch = [.. children.Values];
                children.Clear();
                emptied.Add(children);
                sends.Add(SendAsync(parent, batch));
            }
            lock (_gate)
            {
                foreach (var children in emptied)
                {
                    _emptied.Push(children);
                }
            }
            return sends;
        }

        private async Task SendAsync(string parent, TChild[] children)
        {
            try
            {
                await send(parent, children);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                // The parent's silo is going or gone: the parent answers again once it is reactivated elsewhere.
                logger.LogDebug(ex, "Rollup report to {Parent} failed; kept for the next cycle", parent);
                lock (_gate)
                {
                    if (!_pending.TryGetValue(parent, out var newer))
                    {
                        _pending[parent] = newer = new(StringComparer.Ordinal);
                    }
                    foreach (var child in children)
                    {
                        newer.TryAdd(childId(child), child);
                    }
                }
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Rollup report to {Parent} refused", parent);
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight.Remove(parent);
                }
            }
        }
    }
}

public static class RollupOutboxRegistration
{
    /// <summary>
    /// Registers the silo's rollup outbox, the pacing of its areas' reports and the services its sensors and segments
    /// share (<see cref="LiveGrainServices"/>, which needs reading history and the write-behind schedule registered
    /// too); every silo hosting twin grains needs them.
    /// </summary>
    public static IServiceCollection AddTwinRollup(this IServiceCollection services)
    {
        services.AddSingleton<RollupOutbox>();
        services.AddSingleton<LiveGrainServices>();
        services.AddSingleton<AreaReportPacing>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RollupOutbox>());
        return services;
    }
}
