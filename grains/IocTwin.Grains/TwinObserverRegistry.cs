using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace IocTwin.Grains;

/// <summary>
/// API processes register their observer here every few seconds; one that stops renewing lapses. The publishers (one
/// per silo) ask for the observers and call them themselves, batched, so this grain only keeps the list. Kept active
/// whatever its idle time: the list lives in memory, and an activation that lost it has every API process read its
/// held state again (every area, every sensor).
/// </summary>
[KeepAlive]
public sealed class TwinObserverRegistry : Grain, ITwinObserverRegistry
{
    private static readonly TimeSpan Lapse = TimeSpan.FromSeconds(30);
    // Keyed by the API process, not by the observer reference: a process that restarts its observer replaces its entry.
    private readonly ObserverManager<Guid, ITwinObserver> _observers;

    public TwinObserverRegistry(TimeProvider time, ILogger<TwinObserverRegistry> logger)
    {
        // Lapses timed on the monotonic clock: a step of the wall clock must not drop every process at once.
        var started = time.GetTimestamp();
        _observers = new ObserverManager<Guid, ITwinObserver>(Lapse, logger) { GetDateTime = () => DateTime.UnixEpoch + time.GetElapsedTime(started) };
    }

    public Task Register(Guid processId, ITwinObserver observer)
    {
        _observers.Subscribe(processId, observer);
        return Task.CompletedTask;
    }

    public Task<bool> Renew(Guid processId, ITwinObserver observer)
    {
        _observers.ClearExpired();
        var held = _observers.Observers.ContainsKey(processId);
        _observers.Subscribe(processId, observer);
        return Task.FromResult(held);
    }

    public Task Unregister(Guid processId)
    {
        _observers.Unsubscribe(processId);
        return Task.CompletedTask;
    }

    public Task<ITwinObserver[]> GetObservers()
    {
        _observers.ClearExpired();
        return Task.FromResult(_observers.Observers.Values.ToArray());
    }
}
