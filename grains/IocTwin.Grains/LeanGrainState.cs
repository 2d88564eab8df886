using Microsoft.Extensions.DependencyInjection;
using Orleans.Core;
using Orleans.Storage;

namespace IocTwin.Grains;

/// <summary>
/// Grain state read and written as <c>[PersistentState]</c> does, in the twin's store, for the grains a city has
/// hundreds of thousands of (sensors, road segments). A <c>[PersistentState]</c> facet takes part in its activation's
/// lifecycle, and keeps a lifecycle, its observer list and a migration participant list alive for as long as the
/// activation: some 300 bytes per grain, a tenth of what a live sensor costs. Such a grain reads its state itself,
/// first thing in <c>OnActivateAsync</c> (not in its constructor from an injected grain context: the activation's
/// service scope then keeps what it resolved, which took back most of the saving); reads of grains activating
/// together are still grouped by the store. Unlike the facet it does not travel with a grain that migrates (no
/// migration participant, the same list): the twin turns no activation rebalancing on, and a grain moved anyway writes
/// its state as it deactivates and reads it where it comes up, a sensor then catching up on history as after any
/// activation.
/// </summary>
internal static class LeanGrainState
{
    public static StateStorageBridge<T> Create<T>(string stateName, IGrainContext context) =>
        new(stateName, context, context.ActivationServices.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name));
}
