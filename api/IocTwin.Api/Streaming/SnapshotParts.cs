using IocTwin.Api.Streaming.Shared;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The segments and sensors of a big scope's snapshot beyond those its Subscribe answer carries, sent as "snapshot-part"
/// frames on the subscriber's own outgoing path, ahead of the scope's deltas (<see cref="ClientConnection.Release"/>). Part
/// n carries the n-th run of each list (either may be empty once its list is used up). A city or sector snapshot's parts are
/// runs of its shared chunks, serialised once for every subscriber of that version.
/// </summary>
public sealed class SnapshotParts(string scope, long sequence, IReadOnlyList<List<SegmentView>> segments, IReadOnlyList<List<SensorView>> sensors)
{
    public string Scope => scope;

    public int Count => Math.Max(segments.Count, sensors.Count);

    public IEnumerable<SnapshotPartFrame> Frames() =>
        Enumerable.Range(0, Count).Select(i => new SnapshotPartFrame(scope, sequence, i + 1, Count, At(segments, i), At(sensors, i)));

    private static List<T> At<T>(IReadOnlyList<List<T>> runs, int i) => i < runs.Count ? runs[i] : [];

    /// <summary>
    /// The answer to Subscribe (its areas, alerts and assets, the first segments and sensors, and how many parts follow)
    /// and the parts after it; the snapshot as it is, and no parts, when its scope holds at most
    /// <paramref name="segmentsPerPart"/> segments and <paramref name="sensorsPerPart"/> sensors (or parts are off: a limit
    /// below 1 sends that list whole in the answer).
    /// </summary>
    public static (ScopeSnapshot Answer, SnapshotParts? Parts) Split(ScopeSnapshot snapshot, int segmentsPerPart, int sensorsPerPart)
    {
        var segmentRuns = Runs(snapshot.Segments, segmentsPerPart);
        var sensorRuns = Runs(snapshot.Sensors, sensorsPerPart);
        if (segmentRuns.Count < 2 && sensorRuns.Count < 2)
        {
            return (snapshot, null);
        }
        var parts = new SnapshotParts(snapshot.Scope, snapshot.Sequence, [.. segmentRuns.Skip(1)], [.. sensorRuns.Skip(1)]);
        return (snapshot with { Segments = At(segmentRuns, 0), Sensors = At(sensorRuns, 0), Parts = parts.Count }, parts);
    }

    /// <summary>A list in runs of at most <paramref name="perPart"/> records (a shared list's runs share its chunks); one run when it fits.</summary>
    private static IReadOnlyList<List<T>> Runs<T>(List<T> records, int perPart)
    {
        if (perPart < 1 || records.Count <= perPart)
        {
            return [records];
        }
        return records is SharedList<T> shared
            ? shared.Parts(perPart)
            : [.. records.Chunk(perPart).Select(run => run.ToList())];
    }
}
