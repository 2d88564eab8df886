using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>Implemented once per API process: receives every live update of the twin and fans it out to screens.</summary>
public interface ITwinObserver : IGrainObserver
{
    [OneWay]
    [Alias("OnUpdates")]
    Task OnUpdates(DistrictUpdate[] districts, CityUpdate? city);

    [OneWay]
    [Alias("OnScenario")]
    Task OnScenario(ScenarioProgress progress);
}

/// <summary>Where API processes register their observers; entries lapse unless renewed. Key 0.</summary>
public interface ITwinObserverRegistry : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task Register(Guid processId, ITwinObserver observer);

    [Alias("Unregister")]
    Task Unregister(Guid processId);

    [Alias("GetObservers")]
    Task<ITwinObserver[]> GetObservers();
}

/// <summary>A per-silo publisher that batches grain updates and sends them to every registered observer. Key 0.</summary>
public interface ITwinPublisher : IGrainWithIntegerKey
{
    [OneWay]
    [Alias("Publish")]
    Task Publish(DistrictUpdate update);

    [OneWay]
    [Alias("PublishCity")]
    Task PublishCity(CityUpdate update);

    [OneWay]
    [Alias("PublishScenario")]
    Task PublishScenario(ScenarioProgress progress);
}
