using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// One shard of the context entities that exist, with their types and districts, so queries select them without
/// activating every entity grain and unknown ids activate none. Keyed by shard number (<see cref="ContextEntityShards"/>):
/// an id's entry is in shard <see cref="ContextEntityShards.Of"/>; a query asks every shard at once.
/// </summary>
public interface IContextEntityIndexShardGrain : IGrainWithIntegerKey
{
    [Alias("Set")]
    Task Set(ContextEntityEntry entry);

    [Alias("Remove")]
    Task Remove(string entityId);

    /// <summary>The entry of that id; null when there is no such entity.</summary>
    [Alias("Find")]
    Task<ContextEntityEntry?> Find(string entityId);

    [Alias("List")]
    Task<ContextEntityEntry[]> List();

    [Alias("Count")]
    Task<int> Count();
}
