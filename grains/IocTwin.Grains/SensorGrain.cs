using IocTwin.Domain;
using IocTwin.History;
using IocTwin.Model;
using Orleans.Core;

namespace IocTwin.Grains;

public sealed class SensorGrain(LiveGrainServices services) : Grain, ISensorGrain, IWritesBehind
{
    private StateStorageBridge<SensorState> state = null!;
    private StateWriteBehind _persist = null!;
    // Commit time at which applied batches are next pruned: pruning on every reading would scan the set each time.
    private long _pruneAtMs;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state = LeanGrainState.Create<SensorState>("sensor", GrainContext);
        await state.ReadStateAsync();
        _persist = new StateWriteBehind(GrainContext, services.WriteBehind, state, mayStretch: true);
        if (state.State.LastReading is { } last && ReadingRanges.Acceptable(last.Values) is var acceptable && acceptable != last.Values)
        {
            // Saved before value ranges were enforced: the impossible values go, the rest of the reading stays.
            state.State.LastReading = acceptable.Count > 0 ? last with { Values = acceptable } : null;
        }
        if (state.State.Spec is { } spec)
        {
            state.State.Spec = WithSharedIds(spec);
            await CatchUpWithHistoryAsync(cancellationToken);
        }
    }

    // The district's id as read from a row or a message is one more copy of it in every sensor of the district.
    private static SensorSpec WithSharedIds(SensorSpec spec) => spec with { DistrictId = SharedStrings.AreaIds.Share(spec.DistrictId) };

    /// <summary>
    /// Live values are written behind; after a crash the saved state may miss acknowledged readings, which history
    /// holds. Apply each stored batch the state has not seen, before taking any call. Commit times only increase per
    /// writing process, so batches are told apart by (writer, commit time) within a window, not by a single watermark.
    /// A sensor never written asks too (a crash may have left its only readings in history); history serves the
    /// sensors activating together in one read, as the twin's grain storage reads their state rows a group per
    /// statement (BatchedReadGrainStorage).
    /// </summary>
    private async Task CatchUpWithHistoryAsync(CancellationToken cancellationToken)
    {
        var since = state.State.LastCommitMs == 0 ? 0 : state.State.LastCommitMs - (long)BatchMemory.TotalMilliseconds;
        var stored = await services.History.CommittedAfterAsync(this.GetPrimaryKeyString(), since, cancellationToken);
        foreach (var batch in stored.GroupBy(r => r.Batch))
        {
            if (state.State.MarkApplied(batch.Key))
            {
                // History stored before value ranges were enforced may hold impossible values: those are skipped.
                Reading[] readings = [.. batch.Select(r => new Reading(r.Timestamp, ReadingRanges.Acceptable(r.Values))).Where(r => r.Values.Count > 0)];
                Apply(readings, batch.Key, DateTimeOffset.FromUnixTimeMilliseconds(batch.Key.CommittedMs));
            }
        }
    }

    /// <summary>How long a batch is remembered as applied: longer than any batch can take from history to its grain.</summary>
    public static readonly TimeSpan BatchMemory = TimeSpan.FromMinutes(2);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.FlushAsync();

    // The silo's write-behind schedule calls one of these when the write is due (TwinOptions.InterleaveWriteBehind).
    public Task WriteBehind() => _persist.RunAsync();

    public Task WriteBehindInterleaved() => _persist.RunAsync();

    public async Task<SensorView> Register(SensorSpec spec)
    {
        var previous = state.State.Spec;
        state.State.Spec = WithSharedIds(spec) with { Id = this.GetPrimaryKeyString() };
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

    public async Task<SensorView?> Get()
    {
        await LookForImportedRowAsync();
        return state.State.Spec is { } spec ? View(spec) : null;
    }

    public async Task<bool> IsRegistered()
    {
        await LookForImportedRowAsync();
        return state.State.Spec is not null;
    }

    // When an unregistered activation last read its row (see ImportedRowCheck).
    private long _lookAgainAt;

    private async ValueTask LookForImportedRowAsync()
    {
        if (state.State.Spec is null && Topology.ImportedRowCheck.Due(ref _lookAgainAt, services.Time))
        {
            await state.ReadStateAsync();
            if (state.State.Spec is { } spec)
            {
                state.State.Spec = WithSharedIds(spec);
            }
        }
    }

    public Task Record(Reading[] readings, HistoryBatch? batch = null)
    {
        // Nothing answers back: callers check registration before they deliver, and a result per call costs the
        // runtime a response object, a task and the result itself on every reading.
        if (state.State.Spec is null)
        {
            return Task.CompletedTask;
        }
        // A batch this activation already caught up on from history is not applied twice. Marking it applied here
        // answers both questions with one lookup in the set.
        if (batch is not { } stored || state.State.MarkApplied(stored))
        {
            Apply(readings, batch, services.Time.GetUtcNow());
        }
        return Task.CompletedTask;
    }

    /// <summary>Applies readings; a stored batch is already marked applied in the state's recent batches.</summary>
    private void Apply(Reading[] readings, HistoryBatch? batch, DateTimeOffset seen)
    {
        state.State.LastSeen = seen > state.State.LastSeen ? seen : state.State.LastSeen ?? seen;
        foreach (var reading in readings)
        {
            state.State.ReadingCount++;
            // A late reading is counted but never replaces a newer one. A current reading dated ahead of the twin's
            // clock does not count as newer: a sender's fast clock must not pin the live value until its date comes.
            if (state.State.LastReading is not { } current || reading.Timestamp > current.Timestamp || current.Timestamp > seen)
            {
                state.State.LastReading = reading;
            }
        }
        if (batch is { } applied)
        {
            state.State.LastCommitMs = Math.Max(state.State.LastCommitMs, applied.CommittedMs);
            if (state.State.LastCommitMs >= _pruneAtMs)
            {
                var forget = state.State.LastCommitMs - (long)BatchMemory.TotalMilliseconds;
                state.State.ForgetAppliedBefore(forget);
                _pruneAtMs = state.State.LastCommitMs + (long)PruneInterval.TotalMilliseconds;
            }
        }
        state.State.Version++;
        // Health depends on last-seen, so the parent hears of every batch, not only of newer values.
        if (state.State.Spec is { } spec)
        {
            services.Rollup.Post(spec, Snapshot(spec));
        }
        _persist.Schedule();
    }

    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(10);

    private Task DetachFromAsync(SensorSpec previous) => previous.SegmentId is { } segmentId
        ? GrainFactory.GetGrain<IRoadSegmentGrain>(segmentId).DetachSensor(previous.Id)
        : GrainFactory.GetGrain<IDistrictGrain>(previous.DistrictId).DetachSensor(previous.Id);

    /// <summary>A sensor just registered, as its parent first holds it: never heard from.</summary>
    public static SensorSnapshot Unseen(SensorSpec spec) => new(spec.Id, spec.Kind, spec.Sector, null, [], 0);

    private SensorSnapshot Snapshot(SensorSpec spec) => new(
        spec.Id, spec.Kind, spec.Sector, state.State.LastSeen,
        state.State.LastReading?.Values ?? [], state.State.ReadingCount);

    private SensorView View(SensorSpec spec) => ViewOf(spec, state.State, services.Time.GetUtcNow());

    /// <summary>A sensor's view from its stored state, as its grain answers it (an import builds those of the rows it stores).</summary>
    public static SensorView ViewOf(SensorSpec spec, SensorState state, DateTimeOffset now) => new(
        spec.Id, spec.Name, spec.Kind, spec.Sector, spec.Location, spec.DistrictId, spec.SegmentId,
        state.LastReading,
        HealthPolicy.Classify(state.LastSeen, now),
        state.ReadingCount, state.Version, state.LastSeen, state.LastReading?.Values ?? []);
}
