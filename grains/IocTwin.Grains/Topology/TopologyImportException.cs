using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// A batch of an import that failed: its number (from 1), what it held, and why; rolled back, or (<see cref="Stored"/>)
/// stored but not attached to its districts.
/// </summary>
public sealed record FailedBatch(int Number, int Segments, int Sensors, string FirstId, string LastId, string Reason)
{
    /// <summary>The rows were committed but the districts did not take the members in: they exist yet are no district's members until the document is sent again.</summary>
    public bool Stored { get; init; }

    /// <summary>The batch's segments, whose sensors could not join them.</summary>
    internal IReadOnlyList<string> SegmentIds { get; init; } = [];

    internal static FailedBatch Of(int number, NewTopologyBatch batch, string reason, bool stored)
    {
        var ids = batch.Segments.Select(s => s.Id).Concat(batch.Sensors.Select(s => s.Id)).ToList();
        return new FailedBatch(number, batch.Segments.Count, batch.Sensors.Count, ids[0], ids[^1], reason)
        {
            Stored = stored,
            SegmentIds = [.. batch.Segments.Select(s => s.Id)],
        };
    }
}

/// <summary>
/// An import in which some batches failed (rolled back, or stored but not attached to their districts); every other
/// batch, and every area, is stored. Sending the same document again completes the city.
/// </summary>
public sealed class TopologyImportException(int batches, IReadOnlyList<FailedBatch> failed)
    : Exception($"{failed.Count} of {batches} import batches failed: " +
        string.Join("; ", failed.Select(f => $"batch {f.Number} ({f.FirstId} … {f.LastId}) " +
            $"{(f.Stored ? "stored, not attached to its districts" : "rolled back")}: {f.Reason}")) + "; send the document again")
{
    public int Batches { get; } = batches;

    public IReadOnlyList<FailedBatch> Failed { get; } = failed;
}
