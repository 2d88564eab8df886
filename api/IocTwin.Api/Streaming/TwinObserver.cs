using IocTwin.Api.Apis;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Grains;
using IocTwin.Hosting;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>This API process's observer of the twin: one per process, registered with the cluster and renewed.</summary>
public sealed class TwinObserver(
    ScopeDispatcher dispatcher, HeldTwin held, TwinNgsiChanges ngsiChanges, ContextEntityChanges contextChanges,
    KnownEntities known, TopologyChanges topologyChanges, ILogger<TwinObserver> logger)
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

    public Task OnAssets(AssetUpdate[] assets)
    {
        dispatcher.OnAssets(assets);
        ngsiChanges.OnAssets(assets);
        return Task.CompletedTask;
    }

    public Task OnReport(ReportView report)
    {
        dispatcher.OnReport(report);
        return Task.CompletedTask;
    }

    public Task OnTopologyChanged(TopologyChange change)
    {
        topologyChanges.OnAnnounced(change);
        return Task.CompletedTask;
    }

    public Task OnContextEntityChanges(ContextEntityChange[] changes)
    {
        contextChanges.Raise(changes);
        ngsiChanges.OnContextEntities(changes);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Keeps this process's observer registered, re-registering after silo failures or registry moves, and tells
/// <see cref="ObserverHearing"/> how that went; once the process hears (and the sample city it loads is in), fills the
/// held state in the background, again after it was forgotten.
/// </summary>
public sealed class ObserverRegistrationService(
    IGrainFactory grains, TwinObserver observer, ObserverHearing hearing, HeldTwin held, HeldAssets heldAssets, IServiceProvider services,
    ILogger<ObserverRegistrationService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(5);
    private readonly Guid _processId = Guid.NewGuid();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<ITwinObserver>(observer);
        using var timer = new PeriodicTimer(Renewal);
        var registered = false;
        Task<bool>? fill = null;
        do
        {
            try
            {
                var renewed = await grains.GetGrain<ITwinObserverRegistry>(0).Renew(_processId, reference);
                if (registered && renewed)
                {
                    hearing.Confirmed();
                }
                else
                {
                    hearing.Registered();
                    // Updates published while unregistered never came (the registry may also have lost its list, its
                    // grain activated again elsewhere): what was held meanwhile is read again.
                    if (registered)
                    {
                        logger.LogWarning("The live-update registry no longer held this process's observer; reading the held state again");
                    }
                    held.Forget();
                    heldAssets.Forget();
                    registered = true;
                    fill = null;
                }
                // Read once this process hears, so that updates published while it reads are laid over what it read.
                if (fill is null or { IsCompleted: true, Result: false })
                {
                    fill = FillHeldStateAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not register the live-update observer; retrying");
                registered = false;
                hearing.Lost();
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<bool> FillHeldStateAsync(CancellationToken stoppingToken)
    {
        try
        {
            // A fill before the sample city is in would read half of it, and every area again at the next snapshot.
            if (services.GetService<SampleCityLoad>() is { } load)
            {
                await load.WhenLoaded.WaitAsync(stoppingToken);
            }
            await hearing.WhenHearsAsync(stoppingToken);
            await held.FillAsync().WaitAsync(stoppingToken);
            logger.LogInformation("Held {Count} areas for snapshots", held.HeldDistricts);
            return true;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not fill the state held for snapshots; retrying");
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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
