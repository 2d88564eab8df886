using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>A what-if scenario on a fork of the twin; it never touches the live twin. Key: the scenario id.</summary>
/// <remarks>
/// Interventions and the report became typed records here, which silos and API processes of the version before cannot
/// read: from that version, upgrade with one full restart (scenario state stored by it still loads).
/// </remarks>
public interface IScenarioGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<ScenarioSummary> Create(ScenarioDefinition definition, ScenarioCreator creator);

    [Alias("Get")]
    Task<ScenarioSummary?> Get();

    /// <summary>Adds an intervention; throws <see cref="ArgumentException"/> naming the field when it does not fit the city.</summary>
    [Alias("AddIntervention")]
    Task<ScenarioSummary> AddIntervention(InterventionSpec intervention);

    /// <summary>Starts the run in the background; progress streams on "scenario:{id}".</summary>
    [Alias("Run")]
    Task<ScenarioSummary> Run();

    /// <summary>Scenario and baseline KPIs side by side; null until the run has completed.</summary>
    [Alias("GetReport")]
    Task<ScenarioReport?> GetReport();

    [Alias("Delete")]
    Task Delete();
}

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
