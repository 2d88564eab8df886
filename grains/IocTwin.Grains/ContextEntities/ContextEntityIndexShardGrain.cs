using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class ContextEntityIndexShardState
{
    [Id(0)] public Dictionary<string, ContextEntityEntry> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the entries of the single index of earlier versions that hash here have been taken over.</summary>
    [Id(1)] public bool TookOverSingleIndex { get; set; }
}

/// <summary>
/// One shard of the context entities that exist, by id, with their types and districts. Each change is stored before
/// its call returns, but changes arriving while a write is under way share the next write (the grain is reentrant for
/// that), so creating a thousand entities writes each shard a few times, not a thousand. Each write stores a copy,
/// never the dictionary later calls change. On its first activation a shard takes the entries of the single index of
/// earlier versions that hash to it, before it answers anything, so an upgrade loses none.
/// </summary>
[Reentrant]
public sealed class ContextEntityIndexShardGrain(
    [PersistentState("context-entity-index-shard", TwinStorage.Name)] IPersistentState<ContextEntityIndexShardState> stored)
    : Grain, IContextEntityIndexShardGrain
{
    private Dictionary<string, ContextEntityEntry> _entries = null!;
    private long _changes;
    private long _storedChanges;
    private Task? _write;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!stored.State.TookOverSingleIndex)
        {
            var shard = (int)this.GetPrimaryKeyLong();
            var earlier = await GrainFactory.GetGrain<IContextEntityIndexGrain>(0).List();
            foreach (var entry in earlier.Where(e => ContextEntityShards.Of(e.Id) == shard))
            {
                stored.State.Entries.TryAdd(entry.Id, entry);
            }
            stored.State.TookOverSingleIndex = true;
            await stored.WriteStateAsync(cancellationToken);
        }
        _entries = new Dictionary<string, ContextEntityEntry>(stored.State.Entries, StringComparer.Ordinal);
    }

    public Task Set(ContextEntityEntry entry)
    {
        if (_entries.GetValueOrDefault(entry.Id) == entry)
        {
            return Task.CompletedTask;
        }
        _entries[entry.Id] = entry;
        return StoreAsync();
    }

    public Task Remove(string entityId) => _entries.Remove(entityId) ? StoreAsync() : Task.CompletedTask;

    public Task<ContextEntityEntry?> Find(string entityId) => Task.FromResult(_entries.GetValueOrDefault(entityId));

    public Task<ContextEntityEntry[]> List() => Task.FromResult(_entries.Values.ToArray());

    public Task<int> Count() => Task.FromResult(_entries.Count);

    /// <summary>Returns once a write that began after this change has completed.</summary>
    private async Task StoreAsync()
    {
        var change = ++_changes;
        while (_storedChanges < change)
        {
            if (_write is { } under)
            {
                // A write that began before this change: wait for it, then make sure of the next.
                try
                {
                    await under;
                }
                catch (Exception) when (_storedChanges < change)
                {
                    // Its caller hears of the failure; this change is stored by the next write or fails there.
                }
                continue;
            }
            var covers = _changes;
            stored.State = new ContextEntityIndexShardState
            {
                Entries = new Dictionary<string, ContextEntityEntry>(_entries, StringComparer.Ordinal),
                TookOverSingleIndex = true,
            };
            _write = stored.WriteStateAsync();
            try
            {
                await _write;
                _storedChanges = Math.Max(_storedChanges, covers);
            }
            finally
            {
                _write = null;
            }
        }
    }
}
