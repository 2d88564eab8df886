using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>A batch of an import that was rolled back: its number (from 1), what it held, and why it failed.</summary>
public sealed record FailedBatch(int Number, int Segments, int Sensors, string FirstId, string LastId, string Reason)
{
    /// <summary>The batch's segments, whose sensors could not join them.</summary>
    internal IReadOnlyList<string> SegmentIds { get; init; } = [];

    internal static FailedBatch Of(int number, NewTopologyBatch batch, Exception error)
    {
        var ids = batch.Segments.Select(s => s.Id).Concat(batch.Sensors.Select(s => s.Id)).ToList();
        return new FailedBatch(number, batch.Segments.Count, batch.Sensors.Count, ids[0], ids[^1], error.GetBaseException().Message)
        {
            SegmentIds = [.. batch.Segments.Select(s => s.Id)],
        };
    }
}

/// <summary>An import in which some batches were rolled back; every other batch, and every area, is stored.</summary>
public sealed class TopologyImportException(int batches, IReadOnlyList<FailedBatch> failed)
    : Exception($"{failed.Count} of {batches} import batches failed and were rolled back: " +
        string.Join("; ", failed.Select(f => $"batch {f.Number} ({f.FirstId} … {f.LastId}): {f.Reason}")))
{
    public int Batches { get; } = batches;

    public IReadOnlyList<FailedBatch> Failed { get; } = failed;
}
