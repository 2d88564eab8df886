using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The existing scenarios and their creators, and the runs under way. Key 0. The caps are checked here, one call at a
/// time, so concurrent requests cannot pass them together.
/// </summary>
public interface IScenarioIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Takes a place for a new scenario, unless its creator or the twin holds as many as it may.</summary>
    [Alias("Reserve")]
    Task<ScenarioAdmission> Reserve(string scenarioId, ScenarioCreator creator, int maxPerCreator, int maxTotal);

    [Alias("Remove")]
    Task Remove(string scenarioId);

    /// <summary>The scenario and its creator; null when there is no such scenario. Activates no scenario grain.</summary>
    [Alias("Find")]
    Task<ScenarioEntry?> Find(string scenarioId);

    [Alias("List")]
    Task<IReadOnlyList<ScenarioEntry>> List();

    /// <summary>
    /// Takes a run slot for the scenario, unless its creator or the twin runs as many as it may. A slot not released
    /// within <paramref name="lease"/> (its silo went away) is freed. Taking the slot a scenario already holds is admitted.
    /// </summary>
    [Alias("StartRun")]
    Task<ScenarioAdmission> StartRun(string scenarioId, string creatorKey, int maxPerCreator, int maxTotal, TimeSpan lease);

    [Alias("RunEnded")]
    Task RunEnded(string scenarioId);
}
