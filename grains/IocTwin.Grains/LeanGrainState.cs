using Microsoft.Extensions.DependencyInjection;
using Orleans.Core;
using Orleans.Storage;

namespace IocTwin.Grains;

/// <summary>
/// Grain state read and written as <c>[PersistentState]</c> does, in the twin's store, for the grains a city has
/// hundreds of thousands of (sensors, road segments). A <c>[PersistentState]</c> facet takes part in its activation's
/// lifecycle, and keeps a lifecycle, its observer list and a migration participant list alive for as long as the
/// activation: some 300 bytes per grain, a tenth of what a live sensor costs. Such a grain reads its state itself,
/// first thing in <c>OnActivateAsync</c> (not in its constructor: an activation that resolves its grain context from its services keeps more than it saves); reads of grains activating together are still grouped by the store.
/// </summary>
internal static class LeanGrainState
{
    public static StateStorageBridge<T> Create<T>(string stateName, IGrainContext context) =>
        new(stateName, context, context.ActivationServices.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name));
}
