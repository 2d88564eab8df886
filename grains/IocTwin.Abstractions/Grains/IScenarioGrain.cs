using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>A what-if scenario on a fork of the twin; it never touches the live twin. Key: the scenario id.</summary>
public interface IScenarioGrain : IGrainWithStringKey
{
    Task<ScenarioSummary> Create(ScenarioDefinition definition);

    Task<ScenarioSummary?> Get();

    /// <summary>Adds an intervention; throws <see cref="ArgumentException"/> naming the field when it does not fit the city.</summary>
    Task<ScenarioSummary> AddIntervention(InterventionSpec intervention);

    /// <summary>Starts the run in the background; progress streams on "scenario:{id}".</summary>
    Task<ScenarioSummary> Run();

    /// <summary>Scenario and baseline KPIs side by side, as JSON; null until the run has completed.</summary>
    Task<string?> GetReportJson();

    Task Delete();
}

/// <summary>The ids of existing scenarios. Key 0.</summary>
public interface IScenarioIndexGrain : IGrainWithIntegerKey
{
    Task Add(string scenarioId);

    Task Remove(string scenarioId);

    Task<IReadOnlyList<string>> List();
}
