using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The asset index in <see cref="Shards"/> grains, an asset in the shard its id hashes to: each registration or area
/// change writes one small shard, not one state holding every asset of the city.
/// </summary>
public static class AssetIndex
{
    public const int Shards = 64;

    /// <summary>The shard of an asset: FNV-1a of its id, the same in every process.</summary>
    public static IAssetIndexGrain Of(IGrainFactory grains, string assetId) => ShardedIndex.Of<IAssetIndexGrain>(grains, assetId, Shards);

    public static async Task<List<AssetEntry>> ListAsync(IGrainFactory grains) =>
        [.. (await ShardedIndex.AllAsync<IAssetIndexGrain, AssetEntry>(grains, Shards, s => s.List())).OrderBy(e => e.Id, StringComparer.Ordinal)];

    /// <summary>Assets inside each area and its entries and exits, summed over the shards.</summary>
    public static async Task<List<AreaAssetCount>> CountsAsync(IGrainFactory grains)
    {
        var counts = await ShardedIndex.AllAsync<IAssetIndexGrain, AreaAssetCount>(grains, Shards, s => s.Counts());
        return [.. counts
            .GroupBy(c => c.AreaId, StringComparer.Ordinal)
            .Select(g => new AreaAssetCount(g.Key, g.Sum(c => c.Inside), g.Sum(c => c.Entered), g.Sum(c => c.Left)))
            .OrderBy(c => c.AreaId, StringComparer.Ordinal)];
    }
}
