using System.Collections.Immutable;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// An entity that changed: its id, expanded type, and the expanded names of the attributes that changed (null: any of
/// them may have). <see cref="At"/> is when this process heard of it, which orders notifications across a lease handover.
/// </summary>
public sealed record NgsiChange(string EntityId, string EntityType, IReadOnlyCollection<string>? Attributes, DateTimeOffset At);

/// <summary>
/// The changes of NGSI-LD entities in this process, wherever they come from: the twin's own updates
/// (<see cref="TwinNgsiChanges"/>) today; any other kind of entity plugs in with one call to <see cref="Publish"/>.
/// Listeners are called on the publisher's thread and must only queue.
/// </summary>
public sealed class NgsiChangeFeed
{
    private ImmutableArray<Action<IReadOnlyList<NgsiChange>>> _listeners = [];

    public void Publish(IReadOnlyList<NgsiChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        foreach (var listener in _listeners)
        {
            listener(changes);
        }
    }

    public IDisposable Listen(Action<IReadOnlyList<NgsiChange>> listener)
    {
        ImmutableInterlocked.Update(ref _listeners, list => list.Add(listener));
        return new Unlisten(() => ImmutableInterlocked.Update(ref _listeners, list => list.Remove(listener)));
    }

    private sealed class Unlisten(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
