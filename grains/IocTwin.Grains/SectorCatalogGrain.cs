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

    public Task<SectorCatalogDocument?> GetStored() => Task.FromResult(_state.State.Catalog);

    public async Task Store(SectorCatalogDocument catalog)
    {
        _state.State.Catalog = catalog;
        await _state.WriteStateAsync();
        // One-way calls: a process that misses this reads the stored catalogue when it next renews.
        await _followers.Notify(f => f.OnCatalogStored(catalog));
    }

    public Task Follow(Guid processId, ISectorCatalogObserver observer)
    {
        _followers.Subscribe(processId, observer);
        return Task.CompletedTask;
    }
}
