using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>Implemented once per API process: receives every live update of the twin and fans it out to screens.</summary>
public interface ITwinObserver : IGrainObserver
{
    [OneWay]
    Task OnUpdates(DistrictUpdate[] districts, CityUpdate? city);

    [OneWay]
    Task OnScenario(ScenarioProgress progress);
}

/// <summary>Where API processes register their observers; entries lapse unless renewed. Key 0.</summary>
public interface ITwinObserverRegistry : IGrainWithIntegerKey
{
    Task Register(Guid processId, ITwinObserver observer);

    Task Unregister(Guid processId);

    Task<ITwinObserver[]> GetObservers();
}

/// <summary>A per-silo publisher that batches grain updates and sends them to every registered observer. Key 0.</summary>
public interface ITwinPublisher : IGrainWithIntegerKey
{
    [OneWay]
    Task Publish(DistrictUpdate update);

    [OneWay]
    Task PublishCity(CityUpdate update);

    [OneWay]
    Task PublishScenario(ScenarioProgress progress);
}
