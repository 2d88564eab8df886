using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class GeofencesState
{
    [Id(0)] public List<GeofenceRule> Rules { get; set; } = [];
}

public sealed class GeofencesGrain(
    [PersistentState("geofences", TwinStorage.Name)] IPersistentState<GeofencesState> state) : Grain, IGeofencesGrain
{
    public Task<IReadOnlyList<GeofenceRule>> Get() => Task.FromResult<IReadOnlyList<GeofenceRule>>([.. state.State.Rules]);

    public async Task<IReadOnlyList<GeofenceRule>?> TryPut(GeofenceRule rule, int maxRules)
    {
        if (state.State.Rules.Count >= maxRules && !state.State.Rules.Any(r => r.Id == rule.Id))
        {
            return null;
        }
        state.State.Rules = [.. state.State.Rules.Where(r => r.Id != rule.Id), rule];
        await state.WriteStateAsync();
        return await Get();
    }

    public async Task<bool> Delete(string ruleId)
    {
        if (state.State.Rules.RemoveAll(r => r.Id == ruleId) == 0)
        {
            return false;
        }
        await state.WriteStateAsync();
        return true;
    }
}
