using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The single context entity index the twin kept before it was split into <see cref="IContextEntityIndexShardGrain"/>s,
/// key 0: read by each shard once, when it first activates, to take the entries that hash to it. Nothing writes it.
/// </summary>
public interface IContextEntityIndexGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<ContextEntityEntry[]> List();
}
