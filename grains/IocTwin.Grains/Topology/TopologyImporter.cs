using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Registers a city's districts, then segments, then sensors, so each finds its parent.</summary>
public static class TopologyImporter
{
    private const int Parallelism = 64;

    public static async Task ImportAsync(IGrainFactory grains, CitySpec city, CancellationToken cancellationToken = default)
    {
        await ForEachAsync(city.Districts, d => grains.GetGrain<IDistrictGrain>(d.Id).Register(d), cancellationToken);
        await ForEachAsync(city.Segments, s => grains.GetGrain<IRoadSegmentGrain>(s.Id).Register(s), cancellationToken);
        await ForEachAsync(city.Sensors, s => grains.GetGrain<ISensorGrain>(s.Id).Register(s), cancellationToken);
    }

    private static Task ForEachAsync<T, TResult>(IEnumerable<T> items, Func<T, Task<TResult>> register, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            items,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (item, _) => await register(item));
}
