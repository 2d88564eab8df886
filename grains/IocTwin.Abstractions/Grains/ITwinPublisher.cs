using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>A per-silo publisher that batches grain updates and sends them to every registered observer. Key 0.</summary>
public interface ITwinPublisher : IGrainWithIntegerKey
{
    [OneWay]
    [Alias("Publish")]
    Task Publish(DistrictUpdate update);

    [OneWay]
    [Alias("PublishCity")]
    Task PublishCity(CityView update);

    [OneWay]
    [Alias("PublishScenario")]
    Task PublishScenario(ScenarioProgress progress);

    [OneWay]
    [Alias("PublishContextEntityChange")]
    Task PublishContextEntityChange(ContextEntityChange change);

    /// <summary>An asset's new position; within a batch its latest wins, keeping the area it was in before the batch.</summary>
    [OneWay]
    [Alias("PublishAsset")]
    Task PublishAsset(AssetUpdate update);

    /// <summary>A citizen report filed or moved on; rare and small, sent at once (without the reporter's contact).</summary>
    [OneWay]
    [Alias("PublishReport")]
    Task PublishReport(ReportView report);

    /// <summary>Tells every API process at once that these areas' topology changed (<see cref="ITwinObserver.OnTopologyChanged"/>).</summary>
    [OneWay]
    [Alias("PublishTopologyChanged")]
    Task PublishTopologyChanged(TopologyChange change);
}
