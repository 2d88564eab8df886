using Orleans.Dashboard;

namespace IocTwin.Api.Extensions;

public static class OperationsExtensions
{
    /// <summary>
    /// Prometheus scrape endpoint at /metrics; in the embedded run, which hosts a silo, the Orleans dashboard at /dashboard.
    /// </summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint();
        if (app.Configuration.GetValue("Twin:Mode", ApiMode.Embedded) == ApiMode.Embedded)
        {
            app.MapOrleansDashboard("/dashboard");
        }
        return app;
    }
}
