using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>Implemented once per process: receives the catalogue of sectors and sensor kinds when the IOC stores one.</summary>
public interface ISectorCatalogObserver : IGrainObserver
{
    [OneWay]
    [Alias("OnCatalogStored")]
    Task OnCatalogStored(SectorCatalogDocument catalog);
}
