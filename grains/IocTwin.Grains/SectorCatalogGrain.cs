using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class SectorCatalogState
{
    /// <summary>Null until the IOC stores a catalogue: each process's configured one applies.</summary>
    [Id(0)] public SectorCatalogDocument? Catalog { get; set; }
}

public sealed class SectorCatalogGrain : Grain, ISectorCatalogGrain
{
    // Processes renew every FollowerRenewal; a process gone for longer than this stops being told.
    private static readonly TimeSpan Lapse = TimeSpan.FromMinutes(2);
    private readonly IPersistentState<SectorCatalogState> _state;
    private readonly ObserverManager<Guid, ISectorCatalogObserver> _followers;

    public SectorCatalogGrain(
        [PersistentState("sector-catalog", TwinStorage.Name)] IPersistentState<SectorCatalogState> state,
        TimeProvider time, ILogger<SectorCatalogGrain> logger)
    {
        _state = state;
        _followers = new ObserverManager<Guid, ISectorCatalogObserver>(Lapse, logger) { GetDateTime = () => time.GetUtcNow().UtcDateTime };
    }

    public Task<SectorCatalogDocument?> GetStored() => Task.FromResult(Stored);

    // Catalogues stored before they carried a version count as the first store: above any configured one.
    private SectorCatalogDocument? Stored =>
        _state.State.Catalog is { } stored ? stored.Version > 0 ? stored : stored with { Version = 1 } : null;

    public Task<CatalogChange> StoreSectors(IReadOnlyList<SectorDefinition?> sectors, SectorCatalogDocument configured,
        IReadOnlyList<long>? ifMatch, IReadOnlyList<CatalogUse> uses) =>
        StoreAsync(SectorCatalogChanges.ReplaceSectors(Stored ?? configured with { Version = 0 }, sectors, ifMatch, uses));

    public Task<CatalogChange> StoreKinds(IReadOnlyList<SensorKindDefinition?> kinds, SectorCatalogDocument configured,
        IReadOnlyList<long>? ifMatch, IReadOnlyList<CatalogUse> uses) =>
        StoreAsync(SectorCatalogChanges.ReplaceKinds(Stored ?? configured with { Version = 0 }, kinds, ifMatch, uses));

    /// <summary>Worked out and stored in one turn of the grain: changes from several processes apply one after another.</summary>
    private async Task<CatalogChange> StoreAsync(CatalogChange change)
    {
        if (change.Outcome != CatalogChangeOutcome.Stored)
        {
            return change;
        }
        _state.State.Catalog = change.Catalog;
        await _state.WriteStateAsync();
        // One-way calls: a process that misses this reads the stored catalogue when it next renews.
        await _followers.Notify(f => f.OnCatalogStored(change.Catalog));
        return change;
    }

    public Task Follow(Guid processId, ISectorCatalogObserver observer)
    {
        _followers.Subscribe(processId, observer);
        return Task.CompletedTask;
    }
}
