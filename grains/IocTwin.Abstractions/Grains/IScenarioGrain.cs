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
