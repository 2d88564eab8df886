using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace IocTwin.Silo;

/// <summary>The silo's operations port: Prometheus metrics, the Orleans dashboard and a liveness probe.</summary>
public static class SiloOperations
{
    public static WebApplicationBuilder AddSiloOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapSiloOperations(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint();
        app.MapOrleansDashboard("/dashboard");
        app.MapHealthChecks("/health/live");
        return app;
    }
}
