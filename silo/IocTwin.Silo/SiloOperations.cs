using IocTwin.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace IocTwin.Silo;

/// <summary>The silo's operations port: Prometheus metrics, the Orleans dashboard, liveness and readiness probes.</summary>
public static class SiloOperations
{
    public static WebApplicationBuilder AddSiloOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        builder.Services.AddHealthChecks().AddCheck<TwinReadyCheck>("twin", tags: ["ready"]);
        return builder;
    }

    public static WebApplication MapSiloOperations(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint();
        if (app.Configuration.DashboardEnabled())
        {
            app.MapOrleansDashboard("/dashboard");
        }
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Ready once the sample city this silo seeds (if any) is loaded and the twin answers a query.
        app.MapHealthChecks("/health/ready");
        return app;
    }
}
