using IocTwin.Api.Streaming.Shared;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The sensors of a big scope's snapshot beyond those its Subscribe answer carries, sent as "snapshot-part" frames on the
/// subscriber's own outgoing path, ahead of the scope's deltas (<see cref="ClientConnection.Release"/>). A city or
/// sector snapshot's parts are runs of its shared chunks, serialised once for every subscriber of that version.
/// </summary>
public sealed class SnapshotParts(string scope, long sequence, IReadOnlyList<List<SensorView>> parts)
{
    public string Scope => scope;

    public int Count => parts.Count;

    public IEnumerable<SnapshotPartFrame> Frames() =>
        parts.Select((sensors, i) => new SnapshotPartFrame(scope, sequence, i + 1, parts.Count, sensors));

    /// <summary>
    /// The answer to Subscribe (the first sensors, and how many parts follow) and the parts after it; the snapshot as it is,
    /// and no parts, when its scope holds at most <paramref name="sensorsPerPart"/> sensors (or parts are off: below 1).
    /// </summary>
    public static (ScopeSnapshot Answer, SnapshotParts? Parts) Split(ScopeSnapshot snapshot, int sensorsPerPart)
    {
        if (sensorsPerPart < 1 || snapshot.Sensors.Count <= sensorsPerPart)
        {
            return (snapshot, null);
        }
        IReadOnlyList<List<SensorView>> all = snapshot.Sensors is SharedList<SensorView> shared
            ? shared.Parts(sensorsPerPart)
            : [.. snapshot.Sensors.Chunk(sensorsPerPart).Select(part => part.ToList())];
        if (all.Count < 2)
        {
            return (snapshot, null);
        }
        return (snapshot with { Sensors = all[0], Parts = all.Count - 1 }, new SnapshotParts(snapshot.Scope, snapshot.Sequence, all.Skip(1).ToList()));
    }
}
