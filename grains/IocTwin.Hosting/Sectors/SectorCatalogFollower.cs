using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IocTwin.Hosting.Sectors;

/// <summary>
/// Keeps this process on the catalogue of sectors and sensor kinds the IOC stored: told at once when it is stored, and
/// reading it again every <see cref="Renewal"/> (which also renews the following), so a process that missed the
/// announcement, or started after it, catches up. Until the cluster answers, the configured catalogue applies: the process
/// is not ready (this check) until it has read the stored one once, so it serves no request on the configured one by mistake.
/// </summary>
public sealed class SectorCatalogFollower(IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<SectorCatalogFollower> logger)
    : BackgroundService, ISectorCatalogObserver, IHealthCheck
{
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private readonly Guid _processId = Guid.NewGuid();
    private volatile bool _read;

    public Task OnCatalogStored(SectorCatalogDocument catalog)
    {
        Apply(catalog);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Once the host has started: in a silo process the grains answer only then.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        using (stoppingToken.Register(started.SetResult))
        {
            await started.Task;
        }
        var self = grains.CreateObjectReference<ISectorCatalogObserver>(this);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Renewal;
            try
            {
                var catalog = grains.GetGrain<ISectorCatalogGrain>(0);
                await catalog.Follow(_processId, self);
                await ReadStoredAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The silo may not have joined the cluster yet (this runs in silo processes too).
                logger.LogDebug(ex, "Could not read the catalogue of sectors yet");
                wait = Retry;
            }
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        grains.DeleteObjectReference<ISectorCatalogObserver>(self);
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_read)
        {
            // Before the first renewal (it waits for the host to start): read it now rather than wait for it.
            await ReadStoredAsync().WaitAsync(cancellationToken);
        }
        return HealthCheckResult.Healthy($"Catalogue of sectors version {SectorCatalog.Current.Document.Version}");
    }

    private async Task ReadStoredAsync()
    {
        if (await grains.GetGrain<ISectorCatalogGrain>(0).GetStored() is { } stored)
        {
            Apply(stored);
        }
        _read = true;
    }

    private void Apply(SectorCatalogDocument stored)
    {
        // By version, in one step: an announcement and a renewal's read can arrive in either order.
        if (SectorCatalog.UseIfNewer(new SectorCatalog(stored)))
        {
            logger.LogInformation("Using the stored catalogue, version {Version}: {Sectors} sectors, {Kinds} sensor kinds",
                stored.Version, stored.Sectors.Count, stored.Kinds.Count);
        }
    }
}
