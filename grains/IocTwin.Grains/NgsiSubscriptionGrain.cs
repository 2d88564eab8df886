using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class NgsiSubscriptionState
{
    [Id(0)] public NgsiSubscriptionDefinition? Definition { get; set; }
    [Id(1)] public NotificationCounters Counters { get; set; } = NotificationCounters.None;
}

/// <summary>
/// One NGSI-LD subscription and its counters. Counters arrive as reports from the dispatching API process every few
/// seconds, so they are stored at that pace, not once per notification.
/// </summary>
public sealed class NgsiSubscriptionGrain(
    [PersistentState("ngsi-subscription", TwinStorage.Name)] IPersistentState<NgsiSubscriptionState> state) : Grain, INgsiSubscriptionGrain
{
    public Task<NgsiSubscriptionRecord?> Get() => Task.FromResult(
        state.State.Definition is { } definition ? new NgsiSubscriptionRecord(definition, state.State.Counters) : null);

    public Task Put(NgsiSubscriptionDefinition definition)
    {
        state.State.Definition = definition;
        return state.WriteStateAsync();
    }

    public async Task Delete()
    {
        await state.ClearStateAsync();
        state.State = new NgsiSubscriptionState();
        DeactivateOnIdle();
    }

    public Task Report(NotificationCounters delta)
    {
        if (state.State.Definition is null)
        {
            return Task.CompletedTask;
        }
        state.State.Counters = state.State.Counters.Add(delta);
        return state.WriteStateAsync();
    }
}
