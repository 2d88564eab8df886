namespace IocTwin.Grains;

/// <summary>
/// How the context entity index is split: an entity's entry lives in the shard its id hashes to, so a write rewrites
/// one shard, not the whole index. The count and the hash are part of the stored format: changing either strands the
/// entries stored under the old split.
/// </summary>
public static class ContextEntityShards
{
    public const int Count = 16;

    /// <summary>The shard of an id: FNV-1a over its UTF-16 code units, the same in every process and version.</summary>
    public static int Of(string entityId) => (int)(StableHash.Fnv1a(entityId) % Count);
}
