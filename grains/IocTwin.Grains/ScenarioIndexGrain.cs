using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The scenarios' ids (as stored from the start) and, beside them, their creators (stored since scenarios have owners;
/// an id without one is a scenario the IOC created before). Runs under way are kept in memory: a silo that goes away
/// takes its runs with it, and a slot not released within its lease is freed.
/// </summary>
public sealed class ScenarioIndexGrain(
    [PersistentState("scenario-index", TwinStorage.Name)] IPersistentState<HashSet<string>> ids,
    [PersistentState("scenario-creators", TwinStorage.Name)] IPersistentState<Dictionary<string, ScenarioCreator>> creators,
    TimeProvider time) : Grain, IScenarioIndexGrain
{
    private readonly Dictionary<string, (string CreatorKey, DateTimeOffset Until)> _runs = new(StringComparer.Ordinal);

    public async Task<ScenarioAdmission> Reserve(string scenarioId, ScenarioCreator creator, int maxPerCreator, int maxTotal)
    {
        if (ids.State.Contains(scenarioId))
        {
            return ScenarioAdmission.Admitted;
        }
        if (ids.State.Count >= maxTotal)
        {
            return ScenarioAdmission.TwinFull;
        }
        if (creators.State.Values.Count(c => c.Key == creator.Key) >= maxPerCreator)
        {
            return ScenarioAdmission.CreatorFull;
        }
        // The creator first: an id stored without one would read as a scenario of the IOC's.
        creators.State[scenarioId] = creator;
        await creators.WriteStateAsync();
        ids.State.Add(scenarioId);
        await ids.WriteStateAsync();
        return ScenarioAdmission.Admitted;
    }

    public async Task Remove(string scenarioId)
    {
        if (ids.State.Remove(scenarioId))
        {
            await ids.WriteStateAsync();
        }
        if (creators.State.Remove(scenarioId))
        {
            await creators.WriteStateAsync();
        }
    }

    public Task<ScenarioEntry?> Find(string scenarioId) =>
        Task.FromResult(ids.State.Contains(scenarioId) ? new ScenarioEntry(scenarioId, creators.State.GetValueOrDefault(scenarioId)) : null);

    public Task<IReadOnlyList<ScenarioEntry>> List() => Task.FromResult<IReadOnlyList<ScenarioEntry>>(
        [.. ids.State.Order(StringComparer.Ordinal).Select(id => new ScenarioEntry(id, creators.State.GetValueOrDefault(id)))]);

    public Task<ScenarioAdmission> StartRun(string scenarioId, string creatorKey, int maxPerCreator, int maxTotal, TimeSpan lease)
    {
        var now = time.GetUtcNow();
        foreach (var expired in _runs.Where(r => r.Value.Until <= now).Select(r => r.Key).ToList())
        {
            _runs.Remove(expired);
        }
        if (!_runs.ContainsKey(scenarioId))
        {
            if (_runs.Count >= maxTotal)
            {
                return Task.FromResult(ScenarioAdmission.TwinFull);
            }
            if (_runs.Values.Count(r => r.CreatorKey == creatorKey) >= maxPerCreator)
            {
                return Task.FromResult(ScenarioAdmission.CreatorFull);
            }
        }
        _runs[scenarioId] = (creatorKey, now + lease);
        // The slots live in memory: stay active while runs hold them.
        this.DelayDeactivation(lease);
        return Task.FromResult(ScenarioAdmission.Admitted);
    }

    public Task RunEnded(string scenarioId)
    {
        _runs.Remove(scenarioId);
        return Task.CompletedTask;
    }
}
