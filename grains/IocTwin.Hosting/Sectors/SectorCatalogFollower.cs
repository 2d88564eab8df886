using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IocTwin.Hosting.Sectors;

/// <summary>
/// Keeps this process on the catalogue of sectors and sensor kinds the IOC stored: told at once when it is stored, and
/// reading it again every <see cref="Renewal"/> (which also renews the following), so a process that missed the
/// announcement, or started after it, catches up. Until the cluster answers, the configured catalogue applies.
/// </summary>
public sealed class SectorCatalogFollower(IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<SectorCatalogFollower> logger)
    : BackgroundService, ISectorCatalogObserver
{
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private readonly Guid _processId = Guid.NewGuid();
    private readonly Lock _gate = new();
    private string? _applied;

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
                if (await catalog.GetStored() is { } stored)
                {
                    Apply(stored);
                }
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

    private void Apply(SectorCatalogDocument stored)
    {
        // Compared by content: every read brings a new copy of the same catalogue.
        var content = JsonSerializer.Serialize(stored);
        lock (_gate)
        {
            if (content == _applied)
            {
                return;
            }
            _applied = content;
        }
        SectorCatalog.Use(new SectorCatalog(stored));
        logger.LogInformation("Using the stored catalogue: {Sectors} sectors, {Kinds} sensor kinds", stored.Sectors.Count, stored.Kinds.Count);
    }
}
