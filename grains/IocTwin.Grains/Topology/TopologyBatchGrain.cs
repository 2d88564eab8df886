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
    /// <summary>Attempts at attaching a stored batch's members to their districts, a short pause apart.</summary>
    private const int AttachAttempts = 3;

    /// <summary>A key whose reference only tells a grain class's type; never called, so never activated.</summary>
    private const string TypeProbe = "type";

    private static readonly TimeSpan AttachPause = TimeSpan.FromMilliseconds(200);

    private readonly IGrainStateBatchWriter _writer = PerGrainStateWriter.For(services);

    public async Task<string?> StoreNew(NewTopologyBatch batch)
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
        // The grain ids as references would make them, without a reference per row.
        var segmentType = GrainFactory.GetGrain<IRoadSegmentGrain>(TypeProbe).GetGrainId().Type;
        var sensorType = GrainFactory.GetGrain<ISensorGrain>(TypeProbe).GetGrainId().Type;
        foreach (var spec in batch.Segments)
        {
            var state = NewTopologyRecords.SegmentState(spec, onSegment[spec.Id]);
            rows.Add(new GrainStateRow<RoadSegmentState>("segment", GrainId.Create(segmentType, spec.Id), state));
            segments.Add((spec.DistrictId, RoadSegmentGrain.SnapshotOf(spec, state.Sensors.Values, state.Version, now)));
        }
        foreach (var spec in batch.Sensors)
        {
            rows.Add(new GrainStateRow<SensorState>("sensor", GrainId.Create(sensorType, spec.Id),
                NewTopologyRecords.SensorState(spec)));
        }
        await _writer.WriteAsync(rows);

        // Stored: now each district takes its new members in, in one write of its own.
        var direct = batch.Sensors.Where(s => s.SegmentId is null).ToLookup(s => s.DistrictId, StringComparer.Ordinal);
        var byDistrict = segments.ToLookup(s => s.DistrictId, s => s.Snapshot, StringComparer.Ordinal);
        var pending = byDistrict.Select(g => g.Key).Union(direct.Select(g => g.Key), StringComparer.Ordinal).ToList();
        // The rows are committed: a district that fails to take its members in is asked again (attaching is idempotent),
        // and if it still fails the batch is reported stored but not attached, never rolled back.
        string? failure = null;
        for (var attempt = 1; attempt <= AttachAttempts && pending.Count > 0; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(AttachPause, time);
            }
            var results = await Task.WhenAll(pending.Select(async id =>
            {
                try
                {
                    await GrainFactory.GetGrain<IDistrictGrain>(id).AttachMembers([.. byDistrict[id]], [.. direct[id].Select(SensorGrain.Unseen)]);
                    return (Id: id, Error: (string?)null);
                }
                catch (Exception ex)
                {
                    return (Id: id, Error: ex.GetBaseException().Message);
                }
            }));
            pending = [.. results.Where(r => r.Error is not null).Select(r => r.Id)];
            failure = results.Select(r => r.Error).FirstOrDefault(e => e is not null);
        }
        return pending.Count == 0 ? null : $"area {string.Join(", ", pending)} did not take its members in: {failure}";
    }
}
