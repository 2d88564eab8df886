using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>Implemented once per API process: receives every live update of the twin and fans it out to screens.</summary>
public interface ITwinObserver : IGrainObserver
{
    [OneWay]
    [Alias("OnUpdates")]
    Task OnUpdates(DistrictUpdate[] districts, CityView? city);

    [OneWay]
    [Alias("OnScenario")]
    Task OnScenario(ScenarioProgress progress);

    [OneWay]
    [Alias("OnContextEntityChanges")]
    Task OnContextEntityChanges(ContextEntityChange[] changes);

    [OneWay]
    [Alias("OnAssets")]
    Task OnAssets(AssetUpdate[] assets);

    [OneWay]
    [Alias("OnReport")]
    Task OnReport(ReportView report);

    /// <summary>
    /// Segments, sensors or areas were registered or moved through some API process: each process reads its tree of areas
    /// and the state it holds for the areas named again, without waiting for those areas to publish.
    /// </summary>
    [OneWay]
    [Alias("OnTopologyChanged")]
    Task OnTopologyChanged(TopologyChange change);
}
