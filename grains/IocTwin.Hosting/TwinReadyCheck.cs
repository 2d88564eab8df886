using IocTwin.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IocTwin.Hosting;

/// <summary>
/// Healthy when the sample city this process loads (embedded mode, when seeding) is fully in the twin and a query of the
/// twin — the city and its districts, read from storage on first activation — returns in time. Silos (their
/// /health/ready) and API processes answer it alike.
/// </summary>
public sealed class TwinReadyCheck(IGrainFactory grains, IServiceProvider services) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<SampleCityLoad>() is { IsLoaded: false })
        {
            return HealthCheckResult.Unhealthy("The sample city is still loading.");
        }
        try
        {
            var districts = await LiveTopology.DistrictIdsAsync(grains).WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"{districts.Count} districts");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The silo cluster is not reachable.", ex);
        }
    }
}
