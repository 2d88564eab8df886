using IocTwin.Api.Apis;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>This API process's observer of the twin: one per process, registered with the cluster and renewed.</summary>
public sealed class TwinObserver(
    ScopeDispatcher dispatcher, HeldTwin held, TwinNgsiChanges ngsiChanges, ContextEntityChanges contextChanges,
    KnownEntities known, ILogger<TwinObserver> logger)
    : ITwinObserver
{
    public Task OnUpdates(DistrictUpdate[] districts, CityView? city)
    {
        if (known.Contradicts(districts))
        {
            // An area registered or moved through another process: access and scopes follow the tree as it is now.
            known.RefreshAsync().ContinueWith(t => logger.LogWarning(t.Exception, "Could not read the tree of areas again"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        // Held state first: a snapshot taken once a scope has these in its next frame must not be older than them.
        held.Apply(districts);
        dispatcher.OnUpdates(districts, city);
        ngsiChanges.OnUpdates(districts);
        return Task.CompletedTask;
    }

    public Task OnScenario(ScenarioProgress progress)
    {
        dispatcher.OnScenario(progress);
        return Task.CompletedTask;
    }

    public Task OnContextEntityChanges(ContextEntityChange[] changes)
    {
        contextChanges.Raise(changes);
        ngsiChanges.OnContextEntities(changes);
        return Task.CompletedTask;
    }
}

/// <summary>Keeps this process's observer registered, re-registering after silo failures or registry moves.</summary>
public sealed class ObserverRegistrationService(
    IGrainFactory grains, TwinObserver observer, HeldTwin held, ILogger<ObserverRegistrationService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(5);
    private readonly Guid _processId = Guid.NewGuid();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<ITwinObserver>(observer);
        using var timer = new PeriodicTimer(Renewal);
        var registered = false;
        do
        {
            try
            {
                await grains.GetGrain<ITwinObserverRegistry>(0).Register(_processId, reference);
                if (!registered)
                {
                    // Updates published while unregistered never came: what was held meanwhile is read again.
                    held.Forget();
                    registered = true;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not register the live-update observer; retrying");
                registered = false;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<ITwinObserverRegistry>(0).Unregister(_processId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Observer not unregistered; it lapses on its own");
        }
        await base.StopAsync(cancellationToken);
    }
}
