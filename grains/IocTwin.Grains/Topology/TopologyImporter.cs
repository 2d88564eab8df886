using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Registers a city's areas (level by level, parents first), then segments, then sensors, so each finds its parent.</summary>
public static class TopologyImporter
{
    private const int Parallelism = 64;

    public static async Task ImportAsync(IGrainFactory grains, CitySpec city, CancellationToken cancellationToken = default)
    {
        foreach (var level in Levels(city.Districts))
        {
            await ForEachAsync(level, d => grains.GetGrain<IDistrictGrain>(d.Id).Register(d), cancellationToken);
        }
        await ForEachAsync(city.Segments, s => grains.GetGrain<IRoadSegmentGrain>(s.Id).Register(s), cancellationToken);
        await ForEachAsync(city.Sensors, s => grains.GetGrain<ISensorGrain>(s.Id).Register(s), cancellationToken);
    }

    /// <summary>
    /// The areas by depth: those whose parent is not among them (under the city, or under an area the twin holds)
    /// first, then their children, and so on.
    /// </summary>
    private static IEnumerable<List<DistrictSpec>> Levels(IReadOnlyList<DistrictSpec> areas)
    {
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var ids = areas.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var pending = areas.ToList();
        while (pending.Count > 0)
        {
            var level = pending.Where(a => a.ParentId is null || !ids.Contains(a.ParentId) || placed.Contains(a.ParentId)).ToList();
            if (level.Count == 0)
            {
                throw new ArgumentException("The areas' parents form a cycle.", nameof(areas));
            }
            yield return level;
            placed.UnionWith(level.Select(a => a.Id));
            pending.RemoveAll(a => placed.Contains(a.Id));
        }
    }

    private static Task ForEachAsync<T, TResult>(IEnumerable<T> items, Func<T, Task<TResult>> register, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            items,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (item, _) => await register(item));
}
