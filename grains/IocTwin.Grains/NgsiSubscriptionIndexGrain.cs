using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class NgsiSubscriptionIndexState
{
    [Id(0)] public Dictionary<string, SubscriptionOwner> Owners { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public long Version { get; set; }
}

/// <summary>
/// The subscriptions' ids and owners (stored) and the notification lease (in memory: should this grain move, the lease
/// is free again and the next dispatcher to ask takes it; the mark of what was sent is then unknown, so the new holder
/// sends all it kept — duplicates rather than losses).
/// </summary>
public sealed class NgsiSubscriptionIndexGrain(
    [PersistentState("ngsi-subscription-index", TwinStorage.Name)] IPersistentState<NgsiSubscriptionIndexState> state,
    TimeProvider time) : Grain, INgsiSubscriptionIndexGrain
{
    private Guid? _holder;
    private DateTimeOffset _until;
    private DateTimeOffset? _deliveredUpTo;

    public async Task<bool> Add(NgsiSubscriptionEntry entry, int maxTotal)
    {
        if (state.State.Owners.ContainsKey(entry.Id) || state.State.Owners.Count >= maxTotal)
        {
            return false;
        }
        state.State.Owners[entry.Id] = entry.Owner;
        state.State.Version++;
        await state.WriteStateAsync();
        return true;
    }

    public async Task Remove(string id)
    {
        if (state.State.Owners.Remove(id))
        {
            state.State.Version++;
            await state.WriteStateAsync();
        }
    }

    public Task<SubscriptionOwner?> Find(string id) => Task.FromResult(state.State.Owners.GetValueOrDefault(id));

    public Task<IReadOnlyList<NgsiSubscriptionEntry>> List() => Task.FromResult<IReadOnlyList<NgsiSubscriptionEntry>>(
        [.. state.State.Owners.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => new NgsiSubscriptionEntry(o.Key, o.Value))]);

    public Task<long> Version() => Task.FromResult(state.State.Version);

    public Task Touch()
    {
        state.State.Version++;
        return state.WriteStateAsync();
    }

    public Task<NotificationLease> HoldLease(Guid holder, TimeSpan duration, DateTimeOffset? deliveredUpTo)
    {
        var now = time.GetUtcNow();
        if (_holder is { } current && current != holder && _until > now)
        {
            return Task.FromResult(new NotificationLease(false, _deliveredUpTo));
        }
        var previousMark = _holder == holder ? null : _deliveredUpTo;
        if (_holder != holder)
        {
            _deliveredUpTo = null;
        }
        _holder = holder;
        _until = now + duration;
        if (deliveredUpTo is not null)
        {
            _deliveredUpTo = deliveredUpTo;
        }
        // The lease lives in memory: stay active while it is held.
        this.DelayDeactivation(duration * 2);
        return Task.FromResult(new NotificationLease(true, previousMark));
    }

    public Task ReleaseLease(Guid holder)
    {
        if (_holder == holder)
        {
            // Leave the mark: the next holder sends what it kept from after it.
            _holder = null;
        }
        return Task.CompletedTask;
    }
}
