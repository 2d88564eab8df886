using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The sectors and sensor kinds the IOC stored through the admin API, durably; every process follows it (key 0). Until
/// the IOC stores one, each process uses its configured catalogue (the same for every process of a city).
/// </summary>
public interface ISectorCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>The stored catalogue; null until the IOC stores one.</summary>
    [Alias("GetStored")]
    Task<SectorCatalogDocument?> GetStored();

    /// <summary>Stores the catalogue and announces it to every process following it.</summary>
    [Alias("Store")]
    Task Store(SectorCatalogDocument catalog);

    /// <summary>Follows the catalogue: the process renews this every so often, or lapses.</summary>
    [Alias("Follow")]
    Task Follow(Guid processId, ISectorCatalogObserver observer);
}
