using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>
/// The context entities that exist, by id, with their types and districts. Each change is stored before its call
/// returns, but changes arriving while a write is under way share the next write (the grain is reentrant for that),
/// so creating a thousand entities writes the index a few times, not a thousand. Each write stores a copy, never the
/// dictionary later calls change.
/// </summary>
[Reentrant]
public sealed class ContextEntityIndexGrain(
    [PersistentState("context-entity-index", TwinStorage.Name)] IPersistentState<Dictionary<string, ContextEntityEntry>> stored)
    : Grain, IContextEntityIndexGrain
{
    private Dictionary<string, ContextEntityEntry> _entries = null!;
    private long _changes;
    private long _storedChanges;
    private Task? _write;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _entries = new Dictionary<string, ContextEntityEntry>(stored.State, StringComparer.Ordinal);
        return Task.CompletedTask;
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
            stored.State = new Dictionary<string, ContextEntityEntry>(_entries, StringComparer.Ordinal);
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
