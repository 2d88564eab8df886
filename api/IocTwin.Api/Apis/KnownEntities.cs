using System.Diagnostics;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

public enum EntityKind
{
    Sensor,
    Segment,
    District,
}

/// <summary>
/// The ids the twin's topology holds, so that a read of an id it does not hold answers 404 without activating a grain
/// for it (a grain per made-up id would grow the silo's memory with every probe). Read from the city (which keeps the
/// tree of areas) and its areas, which are live anyway; an id not seen yet is looked up again in a fresh read that began after the request arrived,
/// so something registered a moment ago is found. Concurrent misses share one read.
/// </summary>
public sealed class KnownEntities(IGrainFactory grains) : IAreaTreeSource
{
    private sealed record Snapshot(AreaTree Areas, long StartedAt);

    private readonly Lock _gate = new();
    private Snapshot _current = new(AreaTree.Empty, 0);

    /// <summary>The areas' members as last read, kept current area by area (only areas whose members changed are read again).</summary>
    public AreaMemberIndex Members { get; } = new();

    /// <summary>
    /// The tree of areas as last read: at startup, after an area is registered or imported through this process, when
    /// the live feed shows an area under another parent than the tree says, and for an area not in it (<see cref="ExistsAsync"/>).
    /// </summary>
    public AreaTree Areas => _current.Areas;

    /// <summary>Raised with the new tree when a read finds areas added, removed or moved under another parent.</summary>
    public event Action<AreaTree>? AreasChanged;

    /// <summary>
    /// Raised after every read of the topology, the tree changed or not: an area registered again through this process
    /// may have a new outline (<see cref="AreaOutlines"/> reads them again on it).
    /// </summary>
    public event Action? TopologyRead;

    /// <summary>Whether the topology has been read since the process started.</summary>
    public bool Loaded => _current.StartedAt > 0;

    /// <summary>Reads the topology again, in a read that began after this call (what was just registered is in it).</summary>
    public async Task RefreshAsync()
    {
        var arrived = Stopwatch.GetTimestamp();
        while ((await ReadAsync()).StartedAt < arrived)
        {
        }
    }

    /// <summary>
    /// What the twin holds of the segments and sensors a document names (its own and those it refers to), from the
    /// topology as last read, with every area: what an import checks its document against and tells new rows from
    /// members it moves. The index is not copied, so a document costs its own size, not the city's.
    /// </summary>
    public KnownTopology TopologyOf(CitySpec document)
    {
        var ids = document.Segments.Select(s => s.Id).Concat(document.Sensors.Select(s => s.Id))
            .Concat(document.Sensors.Select(s => s.SegmentId).OfType<string>()).Distinct(StringComparer.Ordinal).ToList();
        var areaOf = new Dictionary<string, string>(StringComparer.Ordinal);
        HashSet<string> segments = new(StringComparer.Ordinal), sensors = new(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (Members.AreaOf(id) is { } area)
            {
                areaOf[id] = area;
            }
            if (Members.HoldsSegment(id))
            {
                segments.Add(id);
            }
            if (Members.HoldsSensor(id))
            {
                sensors.Add(id);
            }
        }
        return new KnownTopology([.. _current.Areas.Links.Select(l => l.Id)], segments, sensors, areaOf);
    }

    /// <summary>Whether live updates of these areas show one the tree does not hold, or under another parent.</summary>
    public bool Contradicts(IEnumerable<DistrictUpdate> updates)
    {
        var tree = _current.Areas;
        return updates.Any(u => tree.Find(u.DistrictId) is not { } link || link.ParentId != u.ParentId);
    }

    /// <summary>The tree of areas, read again first when it does not hold all of these ids (an area registered a moment ago).</summary>
    public async Task<AreaTree> AreasHoldingAsync(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            await ExistsAsync(EntityKind.District, id);
        }
        return _current.Areas;
    }
    private Task<Snapshot>? _reading;

    /// <summary>Null when the id names an entity of that kind; otherwise the 400 (not an id) or 404 (no such entity).</summary>
    public async Task<ProblemHttpResult?> RefuseUnknownAsync(EntityKind kind, string id)
    {
        if (!TopologyRules.IsValidId(id))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not an id",
                detail: $"The {Name(kind)} id {TopologyRules.IdRule}.", extensions: new Dictionary<string, object?> { ["field"] = "id" });
        }
        return await ExistsAsync(kind, id) ? null : Problems.NotFound(Name(kind), id);
    }

    public async Task<bool> ExistsAsync(EntityKind kind, string id)
    {
        if (Holds(_current, kind, id))
        {
            return true;
        }
        var arrived = Stopwatch.GetTimestamp();
        while (true)
        {
            var snapshot = await ReadAsync();
            if (Holds(snapshot, kind, id))
            {
                return true;
            }
            if (snapshot.StartedAt >= arrived)
            {
                return false;
            }
            // That read began before this request: what was registered meanwhile may be missing from it.
        }
    }

    /// <summary>
    /// Whether the id names a segment, a sensor, or both. An id the topology already holds as either is answered from
    /// what is known, without a fresh read for the kind it is not (a screen opening a sensor would otherwise make the
    /// whole topology be read again); an id not seen yet is looked up as <see cref="ExistsAsync"/> does.
    /// </summary>
    public async Task<(bool Segment, bool Sensor)> EntityKindsAsync(string id)
    {
        if (!Members.HoldsSegment(id) && !Members.HoldsSensor(id))
        {
            await ExistsAsync(EntityKind.Segment, id);
        }
        return (Members.HoldsSegment(id), Members.HoldsSensor(id));
    }

    // Segments and sensors are looked up in the member index, which every read updates in place.
    private bool Holds(Snapshot snapshot, EntityKind kind, string id) => kind switch
    {
        EntityKind.Sensor => Members.HoldsSensor(id),
        EntityKind.Segment => Members.HoldsSegment(id),
        _ => snapshot.Areas.Contains(id),
    };

    private static string Name(EntityKind kind) => kind.ToString().ToLowerInvariant();

    private Task<Snapshot> ReadAsync()
    {
        lock (_gate)
        {
            return _reading ??= ReadTopologyAsync();
        }
    }

    private async Task<Snapshot> ReadTopologyAsync()
    {
        // Off the caller's lock first, so the read is the one in flight before it can finish and clear itself.
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var areas = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
            // Segments and sensors belong to leaf areas; an area with children holds none of its own as a rule, but asking costs little.
            // Each area answers with its members only when they changed since the version held.
            List<string> ids = [.. areas.Links.Select(a => a.Id)];
            var reads = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).GetMembersSince(Members.VersionOf(id))));
            await Members.UpdateAsync(ids, reads);
            var snapshot = new Snapshot(areas, started);
            var previous = _current.Areas;
            _current = snapshot;
            if (!previous.Links.SequenceEqual(areas.Links))
            {
                AreasChanged?.Invoke(areas);
            }
            TopologyRead?.Invoke();
            return snapshot;
        }
        finally
        {
            lock (_gate)
            {
                _reading = null;
            }
        }
    }
}
