using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace IocTwin.Api.Streaming;

/// <summary>
/// A scope's frames held for one client while <see cref="Holders"/> snapshot reads and <see cref="Pending"/> sets of
/// parts are under way (<see cref="ClientConnection"/>): deltas merged into one, other frames in order.
/// </summary>
internal sealed class HeldFrames(long id)
{
    private readonly HeldDeltas _deltas = new();
    /// <summary>The delta held when it is the only one: sent as it came, serialised once for every subscriber.</summary>
    private SerializedHubMessage? _onlyDelta;
    private int _deltaCount;

    /// <summary>Subscribe calls of the scope whose snapshot is being read.</summary>
    public int Holders { get; set; }

    /// <summary>Which hold of the connection this is: a release names the hold it ends.</summary>
    public long Id => id;

    /// <summary>Sets of the scope's snapshot parts queued or being written, each once.</summary>
    public HashSet<SnapshotParts> Pending { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Frames other than deltas (alerts, assets, reports), in order; they are not merged.</summary>
    public List<SerializedHubMessage> Others { get; } = [];

    /// <summary>More frames came than can be held: a resync is sent instead.</summary>
    public bool Resync { get; set; }

    public void Hold(SerializedHubMessage message, DeltaFrame delta)
    {
        _onlyDelta = _deltaCount++ == 0 ? message : null;
        _deltas.Add(delta);
    }

    /// <summary>The deltas held, as one frame (the one that came, when only one did), or null.</summary>
    public SerializedHubMessage? TakeDelta(string scope)
    {
        var only = _onlyDelta;
        var merged = _deltas.Take(scope);
        (_onlyDelta, _deltaCount) = (null, 0);
        return only ?? (merged is null ? null : new SerializedHubMessage(new InvocationMessage(HubMethods.Delta, [merged])));
    }

    public void Clear()
    {
        _deltas.Clear();
        (_onlyDelta, _deltaCount) = (null, 0);
        Others.Clear();
    }
}
