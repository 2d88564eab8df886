using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The context entities that exist, by id, with their types and districts; stored at every change.</summary>
public sealed class ContextEntityIndexGrain(
    [PersistentState("context-entity-index", TwinStorage.Name)] IPersistentState<Dictionary<string, ContextEntityEntry>> entries)
    : Grain, IContextEntityIndexGrain
{
    public async Task Set(ContextEntityEntry entry)
    {
        if (entries.State.GetValueOrDefault(entry.Id) != entry)
        {
            entries.State[entry.Id] = entry;
            await entries.WriteStateAsync();
        }
    }

    public async Task Remove(string entityId)
    {
        if (entries.State.Remove(entityId))
        {
            await entries.WriteStateAsync();
        }
    }

    public Task<ContextEntityEntry?> Find(string entityId) => Task.FromResult(entries.State.GetValueOrDefault(entityId));

    public Task<ContextEntityEntry[]> List() => Task.FromResult(entries.State.Values.ToArray());
}
