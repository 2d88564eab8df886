using System.Diagnostics;
using IocTwin.Api.Streaming.Shared;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// A scope with subscribers. Its sequence starts at the Unix time in milliseconds when it is created: a scope sends
/// at most a few frames a second, so a scope created again later (its last subscriber left, or the process
/// restarted) starts above any number it reached before, and a client never sees its numbers go backwards.
/// </summary>
internal sealed class ScopeState(TwinScope scope, long firstSequence, SharedScopeRecords? shared)
{
    public TwinScope Scope { get; set; } = scope;
    /// <summary>The scope as subscribed, which names it in frames and in each client's scopes.</summary>
    public string Key { get; } = scope.ToString();
    public HashSet<string> Subscribers { get; } = [];
    public long Sequence { get; private set; } = firstSequence;
    public CityView? City { get; set; }
    /// <summary>When its last subscriber left (a <see cref="Stopwatch"/> timestamp), while it has none.</summary>
    public long EmptySince { get; set; }
    /// <summary>When the scope may send its next frame (a <see cref="TimeProvider"/> timestamp); 0: at once.</summary>
    public long NextFrameAt { get; set; }
    /// <summary>Where in each frame interval the scope's frames go while it keeps changing (<see cref="FrameSlots"/>).</summary>
    public double Phase { get; init; }
    /// <summary>A city or sector scope's records shared by its subscribers; null for other scopes.</summary>
    public SharedScopeRecords? Shared { get; } = shared;
    public Dictionary<string, DistrictView> Districts { get; } = [];
    public Dictionary<string, SegmentView> Segments { get; } = [];
    public Dictionary<string, SensorView> Sensors { get; } = [];
    public ScopeAssets Assets { get; } = new();

    /// <summary>A district or sector scope's districts as last sent, once its first snapshot told them all.</summary>
    private readonly Dictionary<string, DistrictView> _sent = [];
    private bool _seeded;

    public void Change(DistrictView district)
    {
        if (Scope.Kind is ScopeKind.District or ScopeKind.Sector)
        {
            // A district changes for every sector's data; a sector's screens hear of it when their KPIs moved, and
            // the scope's total is counted over the districts as last sent.
            if (_sent.TryGetValue(district.Id, out var sent) && (sent.Version > district.Version || sent.Kpis == district.Kpis))
            {
                return;
            }
            _sent[district.Id] = district;
        }
        Districts[district.Id] = district;
    }

    public void Seed(IEnumerable<DistrictView> districts)
    {
        foreach (var district in districts)
        {
            if (!_sent.TryGetValue(district.Id, out var sent) || sent.Version < district.Version)
            {
                _sent[district.Id] = district;
            }
        }
        _seeded = true;
    }

    public DeltaFrame? TakeFrame()
    {
        if (City is null && Districts.Count == 0 && Segments.Count == 0 && Sensors.Count == 0)
        {
            return null;
        }
        ++Sequence;
        if (Scope.Kind is ScopeKind.District or ScopeKind.Sector && _seeded && Districts.Count > 0)
        {
            City = Scope.Total(_sent.Values, Sequence);
        }
        var frame = new DeltaFrame(Scope.ToString(), Sequence, City, [.. Districts.Values], [.. Segments.Values], [.. Sensors.Values]);
        City = null;
        Districts.Clear();
        Segments.Clear();
        Sensors.Clear();
        return frame;
    }
}
