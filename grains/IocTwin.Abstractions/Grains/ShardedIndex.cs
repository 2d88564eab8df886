namespace IocTwin.Grains;

/// <summary>
/// An index kept in a fixed number of shard grains, an entry in the shard its id hashes to (FNV-1a, the same in every
/// process): a write rewrites one small shard, and a listing asks every shard at once. The count and the hash are part
/// of the stored format of each index that uses it.
/// </summary>
public static class ShardedIndex
{
    public static TShard Of<TShard>(IGrainFactory grains, string id, int shards) where TShard : IGrainWithIntegerKey =>
        grains.GetGrain<TShard>(StableHash.Fnv1a(id) % shards);

    /// <summary>What every shard answers, together.</summary>
    public static async Task<List<T>> AllAsync<TShard, T>(IGrainFactory grains, int shards, Func<TShard, Task<IReadOnlyList<T>>> read)
        where TShard : IGrainWithIntegerKey
    {
        var parts = await Task.WhenAll(Enumerable.Range(0, shards).Select(i => read(grains.GetGrain<TShard>(i))));
        return [.. parts.SelectMany(p => p)];
    }
}
