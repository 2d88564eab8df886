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
    private ImmutableArray<Func<string, bool>> _interests = [];

    /// <summary>
    /// Whether any listener wants changes of entities of this expanded type now. Every applied reading changes two
    /// entities, so a publisher asks before it builds their changes: with no subscription watching them that work
    /// (an id and a change per entity, a queue entry) would be thrown away.
    /// </summary>
    public bool Wants(string entityType)
    {
        foreach (var wants in _interests)
        {
            if (wants(entityType))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether any listener wants changes of any entity now.</summary>
    public bool WantsAny => Wants(AnyType);

    /// <summary>The type <see cref="Wants"/> is asked for when the question is whether any type is wanted.</summary>
    public const string AnyType = "";

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

    /// <param name="listener">Called with the changes published.</param>
    /// <param name="wants">
    /// Which expanded entity types the listener wants now (asked with <see cref="AnyType"/>: whether it wants any);
    /// none given: every type, always.
    /// </param>
    public IDisposable Listen(Action<IReadOnlyList<NgsiChange>> listener, Func<string, bool>? wants = null)
    {
        wants ??= static _ => true;
        ImmutableInterlocked.Update(ref _listeners, list => list.Add(listener));
        ImmutableInterlocked.Update(ref _interests, list => list.Add(wants));
        return new Unlisten(() =>
        {
            ImmutableInterlocked.Update(ref _listeners, list => list.Remove(listener));
            ImmutableInterlocked.Update(ref _interests, list => list.Remove(wants));
        });
    }

    private sealed class Unlisten(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
