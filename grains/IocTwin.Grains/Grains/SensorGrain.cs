using IocTwin.Domain;
using IocTwin.History;
using IocTwin.Model;
using Microsoft.Extensions.Options;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class SensorState
{
    [Id(0)] public SensorSpec? Spec { get; set; }
    [Id(1)] public Reading? LastReading { get; set; }
    [Id(2)] public long ReadingCount { get; set; }
    [Id(3)] public long Version { get; set; }
    /// <summary>When the twin last heard from the sensor; health is judged by it, not by reading timestamps.</summary>
    [Id(4)] public DateTimeOffset? LastSeen { get; set; }
    /// <summary>History commit time of the newest batch applied: readings committed later are caught up on activation.</summary>
    [Id(5)] public long LastCommitMs { get; set; }
}

public sealed class SensorGrain(
    [PersistentState("sensor", TwinStorage.Name)] IPersistentState<SensorState> state,
    IOptions<TwinOptions> options,
    TimeProvider time,
    ReadingHistory history) : Grain, ISensorGrain
{
    private DebouncedAction _report = null!;
    private DebouncedAction _persist = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _report = new DebouncedAction(this, options.Value.RollupDelay, ReportUpAsync);
        _persist = new DebouncedAction(this, options.Value.PersistDelay, () => state.WriteStateAsync());
        if (state.State.Spec is not null)
        {
            await CatchUpWithHistoryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Live values are written behind; after a crash the persisted state may miss acknowledged readings,
    /// which history holds. Apply them before taking any call.
    /// </summary>
    private async Task CatchUpWithHistoryAsync(CancellationToken cancellationToken)
    {
        var (newest, count, lastCommitMs) = await history.ReceivedAfterAsync(this.GetPrimaryKeyString(), state.State.LastCommitMs, cancellationToken);
        if (newest is null)
        {
            return;
        }
        state.State.ReadingCount += count;
        state.State.LastCommitMs = lastCommitMs;
        var seen = DateTimeOffset.FromUnixTimeMilliseconds(newest.ReceivedMs);
        state.State.LastSeen = seen > state.State.LastSeen ? seen : state.State.LastSeen ?? seen;
        if (state.State.LastReading is null || newest.Timestamp > state.State.LastReading.Timestamp)
        {
            state.State.LastReading = new Reading(newest.Timestamp, newest.Values);
        }
        state.State.Version++;
        _report.Schedule();
        _persist.Schedule();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _report.FlushAsync();
        await _persist.FlushAsync();
    }

    public async Task<SensorView> Register(SensorSpec spec)
    {
        var previous = state.State.Spec;
        state.State.Spec = spec with { Id = this.GetPrimaryKeyString() };
        state.State.Version++;
        await state.WriteStateAsync();

        if (previous is not null && (previous.SegmentId != spec.SegmentId || previous.DistrictId != spec.DistrictId))
        {
            await DetachFromAsync(previous);
        }
        var snapshot = Snapshot(state.State.Spec);
        await (spec.SegmentId is { } segmentId
            ? GrainFactory.GetGrain<IRoadSegmentGrain>(segmentId).AttachSensor(snapshot)
            : GrainFactory.GetGrain<IDistrictGrain>(spec.DistrictId).AttachSensor(snapshot));
        return View(state.State.Spec);
    }

    public Task<SensorView?> Get() =>
        Task.FromResult(state.State.Spec is { } spec ? View(spec) : null);

    public Task<bool> IsRegistered() => Task.FromResult(state.State.Spec is not null);

    public Task<RecordResult> Record(Reading[] readings, long committedMs = 0)
    {
        if (state.State.Spec is null)
        {
            return Task.FromResult(new RecordResult(false, 0));
        }
        if (committedMs != 0 && committedMs <= state.State.LastCommitMs)
        {
            // Already applied from history when this activation caught up.
            return Task.FromResult(new RecordResult(true, readings.Length));
        }
        state.State.LastCommitMs = Math.Max(state.State.LastCommitMs, committedMs);
        state.State.LastSeen = time.GetUtcNow();
        foreach (var reading in readings)
        {
            state.State.ReadingCount++;
            // A late reading is counted but never replaces a newer one.
            if (state.State.LastReading is null || reading.Timestamp > state.State.LastReading.Timestamp)
            {
                state.State.LastReading = reading;
            }
        }
        state.State.Version++;
        // Health depends on last-seen, so the parent hears of every batch, not only of newer values.
        _report.Schedule();
        _persist.Schedule();
        return Task.FromResult(new RecordResult(true, readings.Length));
    }

    private Task ReportUpAsync()
    {
        if (state.State.Spec is not { } spec)
        {
            return Task.CompletedTask;
        }
        var snapshot = Snapshot(spec);
        return spec.SegmentId is { } segmentId
            ? GrainFactory.GetGrain<IRoadSegmentGrain>(segmentId).ReportSensor(snapshot)
            : GrainFactory.GetGrain<IDistrictGrain>(spec.DistrictId).ReportSensor(snapshot);
    }

    private Task DetachFromAsync(SensorSpec previous) => previous.SegmentId is { } segmentId
        ? GrainFactory.GetGrain<IRoadSegmentGrain>(segmentId).DetachSensor(previous.Id)
        : GrainFactory.GetGrain<IDistrictGrain>(previous.DistrictId).DetachSensor(previous.Id);

    private SensorSnapshot Snapshot(SensorSpec spec) => new(
        spec.Id, spec.Kind, spec.Sector, state.State.LastSeen,
        state.State.LastReading?.Values ?? [], state.State.ReadingCount);

    private SensorView View(SensorSpec spec) => new(
        spec.Id, spec.Name, spec.Kind, spec.Sector, spec.Location, spec.DistrictId, spec.SegmentId,
        state.State.LastReading,
        HealthPolicy.Classify(state.State.LastSeen, time.GetUtcNow()),
        state.State.ReadingCount, state.State.Version, state.State.LastSeen);
}
