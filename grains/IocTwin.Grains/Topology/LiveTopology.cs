using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Live views of a set of areas and everything in them.</summary>
public sealed record TwinViews(List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors);

/// <summary>
/// The ids of every area, segment and sensor the twin holds; <see cref="AreaOf"/>: the area each segment and sensor is a
/// member of, so that a change can tell which existing ones it moves.
/// </summary>
public sealed record KnownTopology(HashSet<string> Districts, HashSet<string> Segments, HashSet<string> Sensors,
    Dictionary<string, string> AreaOf);

/// <summary>The twin's registered topology and live state, read from its grains in parallel.</summary>
public static class LiveTopology
{
    /// <summary>Every area of the city, at every level, each parent before its children.</summary>
    public static async Task<List<string>> DistrictIdsAsync(IGrainFactory grains)
    {
        var tree = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
        return [.. tree.Links.Where(l => l.ParentId is null || !tree.Contains(l.ParentId)).SelectMany(l => tree.Subtree(l.Id))];
    }

    /// <summary>Every id the twin holds, read from the areas' member lists (no segment or sensor is activated).</summary>
    public static async Task<KnownTopology> KnownAsync(IGrainFactory grains)
    {
        var areas = await DistrictIdsAsync(grains);
        var members = await Task.WhenAll(areas.Select(id => grains.GetGrain<IDistrictGrain>(id).GetMembers()));
        var areaOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (area, member) in areas.Zip(members))
        {
            foreach (var id in member.SegmentIds.Concat(member.SensorIds))
            {
                areaOf[id] = area;
            }
        }
        return new([.. areas], [.. members.SelectMany(m => m.SegmentIds)], [.. members.SelectMany(m => m.SensorIds)], areaOf);
    }

    /// <summary>
    /// At most this many grain calls of one read are in flight: enough to keep a silo busy, few enough that another
    /// caller's call (a screen subscribing to one district while another reads the whole city) is not queued behind
    /// the whole city's.
    /// </summary>
    private const int CallsInFlight = 256;

    /// <summary>
    /// The districts' views, and those of their segments and (when asked) sensors, read side by side. Members whose views
    /// the caller knows already (<paramref name="knownSegments"/>, <paramref name="knownSensors"/>: records it has just
    /// stored) are taken from there instead of from their grains, which are then not activated.
    /// </summary>
    public static async Task<TwinViews> ReadViewsAsync(IGrainFactory grains, IEnumerable<string> districtIds, bool includeSensors = true,
        IReadOnlyDictionary<string, SegmentView>? knownSegments = null, IReadOnlyDictionary<string, SensorView>? knownSensors = null)
    {
        var ids = districtIds.ToList();
        var districts = Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).Get()));
        var members = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).GetMembers()));
        var segments = ReadEachAsync([.. members.SelectMany(m => m.SegmentIds)], knownSegments, id => grains.GetGrain<IRoadSegmentGrain>(id).Get());
        var sensors = includeSensors
            ? ReadEachAsync([.. members.SelectMany(m => m.SensorIds)], knownSensors, id => grains.GetGrain<ISensorGrain>(id).Get())
            : Task.FromResult(Array.Empty<SensorView?>());
        return new TwinViews([.. (await districts).OfType<DistrictView>()], [.. (await segments).OfType<SegmentView>()], [.. (await sensors).OfType<SensorView>()]);
    }

    /// <summary>
    /// Reads every id not known already, in order, with <see cref="CallsInFlight"/> calls in flight (half each when two
    /// reads run together).
    /// </summary>
    private static async Task<T?[]> ReadEachAsync<T>(List<string> ids, IReadOnlyDictionary<string, T>? known, Func<string, Task<T?>> read)
        where T : class
    {
        var results = new T?[ids.Count];
        List<int> toRead = [];
        for (var i = 0; i < ids.Count; i++)
        {
            if (known is not null && known.TryGetValue(ids[i], out var view))
            {
                results[i] = view;
            }
            else
            {
                toRead.Add(i);
            }
        }
        var next = -1;
        async Task ReadInTurnAsync()
        {
            for (var i = Interlocked.Increment(ref next); i < toRead.Count; i = Interlocked.Increment(ref next))
            {
                results[toRead[i]] = await read(ids[toRead[i]]);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(CallsInFlight / 2, toRead.Count)).Select(_ => ReadInTurnAsync()));
        return results;
    }

    /// <summary>The topology as a <see cref="CitySpec"/>, each segment with the status it has now.</summary>
    public static async Task<CitySpec> ReadAsync(IGrainFactory grains)
    {
        var views = await ReadViewsAsync(grains, await DistrictIdsAsync(grains), includeSensors: false);
        return new CitySpec(
            CityGrainKey.Id, CityGrainKey.Id,
            [.. views.Districts.Select(d => new DistrictSpec(d.Id, d.Name, d.NameEn, d.Boundary!, AreaKinds.OrDistrict(d.Kind), d.ParentId,
                d.Schematic, d.MoreParts))],
            [.. views.Segments.Select(s => s.Spec! with { Status = s.Status })],
            []);
    }
}
