using IocTwin.Api.Apis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IocTwin.Api.Access;

/// <summary>
/// Reads the tree of areas as the process starts, so that access knows what lies below an OC's areas from the first
/// request on (an empty tree would hide an area's wards from its OC). The process is not ready until it has been read.
/// </summary>
public sealed class AreaTreeLoader(KnownEntities known, ILogger<AreaTreeLoader> logger) : IHostedService, IHealthCheck
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await known.RefreshAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The cluster may not answer yet: the readiness check reads it again until it does.
            logger.LogWarning(ex, "Could not read the tree of areas at startup; retrying on the readiness check");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!known.Loaded)
        {
            await known.RefreshAsync().WaitAsync(cancellationToken);
        }
        return HealthCheckResult.Healthy();
    }
}
