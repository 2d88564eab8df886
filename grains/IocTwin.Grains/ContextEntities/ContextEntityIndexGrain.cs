using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The single index as the first version stored it (same grain type, state name and format), kept only so that the
/// shards can take over its entries; see <see cref="ContextEntityIndexShardGrain"/>.
/// </summary>
public sealed class ContextEntityIndexGrain(
    [PersistentState("context-entity-index", TwinStorage.Name)] IPersistentState<Dictionary<string, ContextEntityEntry>> stored)
    : Grain, IContextEntityIndexGrain
{
    public Task<ContextEntityEntry[]> List() => Task.FromResult(stored.State.Values.ToArray());
}
