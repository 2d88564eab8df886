using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Unready until the state held for snapshots has been read once: until then this process answers a
/// city screen in seconds, so a load balancer should send screens elsewhere. Only the first fill counts: a refill after
/// the observer lapsed (a silo failure, every API process at once) leaves it ready, slow for one snapshot rather than
/// out of service.
/// </summary>
public sealed class HeldStateReadyCheck(HeldTwin held) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(held.IsFilled
            ? HealthCheckResult.Healthy($"{held.HeldDistricts} areas held")
            : HealthCheckResult.Unhealthy("The state held for city screens is still being read."));
}
