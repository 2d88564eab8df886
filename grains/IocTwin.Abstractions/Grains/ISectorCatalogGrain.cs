using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The sectors and sensor kinds the IOC stored through the admin API, durably; every process follows it (key 0). Until
/// the IOC stores one, each process uses its configured catalogue (the same for every process of a city). Each change
/// replaces one half and is merged, validated and checked for uses here, against the stored catalogue, one at a time:
/// a process holding an older copy cannot undo another's change.
/// </summary>
public interface ISectorCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>The stored catalogue; null until the IOC stores one.</summary>
    [Alias("GetStored")]
    Task<SectorCatalogDocument?> GetStored();

    /// <summary>
    /// Replaces the sectors, keeping the stored kinds. <paramref name="configured"/> is the caller's catalogue, used
    /// while none is stored; <paramref name="ifMatch"/> the versions the caller read (null: any); <paramref name="uses"/>
    /// what the caller knows still uses a sector or kind.
    /// </summary>
    [Alias("StoreSectors")]
    Task<CatalogChange> StoreSectors(IReadOnlyList<SectorDefinition?> sectors, SectorCatalogDocument configured,
        IReadOnlyList<long>? ifMatch, IReadOnlyList<CatalogUse> uses);

    /// <summary>Replaces the sensor kinds, keeping the stored sectors; as <see cref="StoreSectors"/>.</summary>
    [Alias("StoreKinds")]
    Task<CatalogChange> StoreKinds(IReadOnlyList<SensorKindDefinition?> kinds, SectorCatalogDocument configured,
        IReadOnlyList<long>? ifMatch, IReadOnlyList<CatalogUse> uses);

    /// <summary>Follows the catalogue: the process renews this every so often, or lapses.</summary>
    [Alias("Follow")]
    Task Follow(Guid processId, ISectorCatalogObserver observer);
}
