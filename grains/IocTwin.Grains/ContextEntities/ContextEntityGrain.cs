using IocTwin.History;
using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class ContextEntityState
{
    [Id(0)] public ContextEntity? Entity { get; set; }
}

/// <summary>
/// A context entity, written through (never behind): an acknowledged write is in history (its numeric observations)
/// and in storage before the call returns. The index learns of an entity before it is stored, and forgets it after it
/// is cleared, so it never misses one that exists (a listed id whose grain holds nothing reads as absent).
/// </summary>
public sealed class ContextEntityGrain(
    [PersistentState("context-entity", TwinStorage.Name)] IPersistentState<ContextEntityState> state,
    IReadingHistory history,
    TimeProvider time) : Grain, IContextEntityGrain
{
    public Task<ContextEntity?> Get() => Task.FromResult(state.State.Entity);

    public async Task<ContextWriteOutcome> Write(ContextEntityWrite write)
    {
        var id = this.GetPrimaryKeyString();
        var before = state.State.Entity;
        var now = time.GetUtcNow();
        var result = ContextEntityWrites.Apply(id, before, write, now);
        if (result.Change is not { } change)
        {
            return result.Outcome;
        }
        if (ContextEntityWrites.Observations(id, write) is { Count: > 0 } observations)
        {
            await history.AppendAsync(observations);
        }
        var index = GrainFactory.GetGrain<IContextEntityIndexShardGrain>(ContextEntityShards.Of(id));
        if (result.Entity is { } entity)
        {
            if (before is null || before.Type != entity.Type || before.DistrictId != entity.DistrictId)
            {
                await index.Set(new ContextEntityEntry(id, entity.Type, entity.DistrictId));
            }
            await StoreAsync(entity, before);
        }
        else
        {
            await StoreAsync(null, before);
            await index.Remove(id);
            DeactivateOnIdle();
        }
        var kept = result.Entity ?? before!;
        GrainFactory.GetGrain<ITwinPublisher>(0).PublishContextEntityChange(
            new ContextEntityChange(id, kept.Type, result.Changed, change, now, kept.DistrictId)).Ignore();
        return result.Outcome;
    }

    /// <summary>Stores the entity (or clears it); a failed write leaves the grain as it was stored.</summary>
    private async Task StoreAsync(ContextEntity? entity, ContextEntity? before)
    {
        state.State.Entity = entity;
        try
        {
            await (entity is null ? state.ClearStateAsync() : state.WriteStateAsync());
        }
        catch
        {
            state.State.Entity = before;
            throw;
        }
    }
}
