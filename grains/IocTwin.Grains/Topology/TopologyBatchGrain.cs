using IocTwin.Grains;
using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Topology;

/// <summary>
/// Stores an import's new segments and sensors as rows, in one transaction per batch, instead of registering each
/// through its grain (an activation, a write and a call up per entity, and a district written again at each member).
/// The rows are what the grains would have stored; the grains load them when first asked for.
/// </summary>
[StatelessWorker]
public sealed class TopologyBatchGrain(IServiceProvider services, TimeProvider time) : Grain, ITopologyBatchGrain
{
    private readonly IGrainStateBatchWriter _writer = PerGrainStateWriter.For(services);

    public async Task StoreNew(NewTopologyBatch batch)
    {
        var segmentIds = batch.Segments.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        if (batch.Sensors.FirstOrDefault(s => s.SegmentId is { } segmentId && !segmentIds.Contains(segmentId)) is { } unplaced)
        {
            throw new ArgumentException($"Sensor '{unplaced.Id}' is on a segment that is not in its batch.", nameof(batch));
        }
        var rows = new List<GrainStateRow>(batch.Segments.Count + batch.Sensors.Count);
        var onSegment = batch.Sensors.Where(s => s.SegmentId is not null).ToLookup(s => s.SegmentId!, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var segments = new List<(string DistrictId, SegmentSnapshot Snapshot)>(batch.Segments.Count);
        foreach (var spec in batch.Segments)
        {
            var sensors = onSegment[spec.Id].ToDictionary(s => s.Id, SensorGrain.Unseen);
            var state = new RoadSegmentState { Spec = spec, Sensors = sensors, Version = 1 + sensors.Count };
            rows.Add(new GrainStateRow<RoadSegmentState>("segment", GrainFactory.GetGrain<IRoadSegmentGrain>(spec.Id).GetGrainId(), state));
            segments.Add((spec.DistrictId, RoadSegmentGrain.SnapshotOf(spec, sensors.Values, state.Version, now)));
        }
        foreach (var spec in batch.Sensors)
        {
            rows.Add(new GrainStateRow<SensorState>("sensor", GrainFactory.GetGrain<ISensorGrain>(spec.Id).GetGrainId(),
                new SensorState { Spec = spec, Version = 1 }));
        }
        await _writer.WriteAsync(rows);

        // Stored: now each district takes its new members in, in one write of its own.
        var direct = batch.Sensors.Where(s => s.SegmentId is null).ToLookup(s => s.DistrictId, StringComparer.Ordinal);
        var byDistrict = segments.ToLookup(s => s.DistrictId, s => s.Snapshot, StringComparer.Ordinal);
        var districtIds = byDistrict.Select(g => g.Key).Union(direct.Select(g => g.Key), StringComparer.Ordinal);
        await Task.WhenAll(districtIds.Select(id => GrainFactory.GetGrain<IDistrictGrain>(id)
            .AttachMembers([.. byDistrict[id]], [.. direct[id].Select(SensorGrain.Unseen)])));
    }
}
