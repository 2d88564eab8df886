using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IocTwin.Domain;
using IocTwin.Model;
using Orleans.Core;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class RoadSegmentState
{
    [Id(0)] public SegmentSpec? Spec { get; set; }
    [Id(1)] public Dictionary<string, SensorSnapshot> Sensors { get; set; } = [];
    [Id(2)] public long Version { get; set; }
}

public sealed class RoadSegmentGrain(LiveGrainServices services) : Grain, IRoadSegmentGrain, IWritesBehind
{
    private StateStorageBridge<RoadSegmentState> state = null!;
    private StateWriteBehind _persist = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state = LeanGrainState.Create<RoadSegmentState>("segment", GrainContext);
        await state.ReadStateAsync();
        _persist = new StateWriteBehind(GrainContext, services.WriteBehind, state, mayStretch: true);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.FlushAsync();

    // The silo's write-behind schedule calls one of these when the write is due (TwinOptions.InterleaveWriteBehind).
    public Task WriteBehind() => _persist.RunAsync();

    public Task WriteBehindInterleaved() => _persist.RunAsync();

    public async Task<SegmentView> Register(SegmentSpec spec)
    {
        var previous = state.State.Spec;
        var registered = spec with { Id = this.GetPrimaryKeyString() };
        state.State.Spec = registered;
        state.State.Version++;
        await state.WriteStateAsync();

        if (previous is not null && previous.DistrictId != registered.DistrictId)
        {
            await GrainFactory.GetGrain<IDistrictGrain>(previous.DistrictId).DetachSegment(registered.Id);
        }
        await GrainFactory.GetGrain<IDistrictGrain>(registered.DistrictId).AttachSegment(Snapshot(registered));
        return View(registered);
    }

    public async Task<SegmentView?> Get()
    {
        // An activation of an id an import then wrote (see ImportedRowCheck) reads its row again.
        if (state.State.Spec is null && Topology.ImportedRowCheck.Due(ref _lookAgainAt, services.Time))
        {
            await state.ReadStateAsync();
        }
        return state.State.Spec is { } spec ? View(spec) : null;
    }

    private long _lookAgainAt;

    public async Task AttachSensor(SensorSnapshot sensor)
    {
        var isNew = !state.State.Sensors.ContainsKey(sensor.SensorId);
        state.State.Sensors[sensor.SensorId] = sensor;
        state.State.Version++;
        if (isNew)
        {
            // Membership is topology: persisted and passed on before the caller hears back.
            await state.WriteStateAsync();
            await ReportUpAsync();
        }
        else
        {
            PostUp();
        }
    }

    public Task ReportSensors(SensorSnapshot[] sensors)
    {
        var changed = false;
        foreach (var sensor in sensors)
        {
            // A report racing a detach must not bring the sensor back. One lookup per sensor: found, replaced in place.
            ref var held = ref CollectionsMarshal.GetValueRefOrNullRef(state.State.Sensors, sensor.SensorId);
            if (!Unsafe.IsNullRef(ref held))
            {
                held = sensor;
                changed = true;
            }
        }
        if (changed)
        {
            state.State.Version++;
            PostUp();
            _persist.Schedule();
        }
        return Task.CompletedTask;
    }

    /// <summary>Live changes go up through the silo's rollup, batched with the other segments of the district.</summary>
    private void PostUp()
    {
        if (state.State.Spec is { } spec)
        {
            services.Rollup.Post(spec.DistrictId, Snapshot(spec));
        }
    }

    public async Task DetachSensor(string sensorId)
    {
        if (state.State.Sensors.Remove(sensorId))
        {
            state.State.Version++;
            await state.WriteStateAsync();
            await ReportUpAsync();
        }
    }

    /// <summary>Membership changes reach the district before the caller hears back, not a rollup period later.</summary>
    private Task ReportUpAsync() => state.State.Spec is { } spec
        ? GrainFactory.GetGrain<IDistrictGrain>(spec.DistrictId).ReportSegments([Snapshot(spec)])
        : Task.CompletedTask;

    private SegmentSnapshot Snapshot(SegmentSpec spec) => SnapshotOf(spec, state.State.Sensors.Values, state.State.Version, services.Time.GetUtcNow());

    /// <summary>What the district holds of a segment: its traffic as its sensors give it now.</summary>
    public static SegmentSnapshot SnapshotOf(SegmentSpec spec, IReadOnlyCollection<SensorSnapshot> sensors, long version, DateTimeOffset now)
    {
        var (status, traffic) = SegmentTrafficModel.Derive(spec, sensors, now);
        return new SegmentSnapshot(spec.Id, spec.LengthM, status, traffic, [.. sensors], version);
    }

    private SegmentView View(SegmentSpec spec) => ViewOf(spec, state.State, services.Time.GetUtcNow());

    /// <summary>A segment's view from its stored state, as its grain answers it (an import builds those of the rows it stores).</summary>
    public static SegmentView ViewOf(SegmentSpec spec, RoadSegmentState state, DateTimeOffset now)
    {
        var (status, traffic) = SegmentTrafficModel.Derive(spec, state.Sensors.Values, now);
        return new SegmentView(spec.Id, spec.DistrictId, spec, status, traffic, [.. state.Sensors.Keys.Order(StringComparer.Ordinal)], state.Version);
    }
}
