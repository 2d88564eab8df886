using IocTwin.Api.Streaming;
using IocTwin.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IocTwin.Api.Extensions;

public static class HealthCheckExtensions
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddTwinHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<IocTwin.Api.Access.AreaTreeLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<IocTwin.Api.Access.AreaTreeLoader>());
        services.AddHealthChecks()
            .AddCheck<TwinReadyCheck>("twin", tags: [ReadyTag])
            .AddCheck<HeldStateReadyCheck>("held-state", tags: [ReadyTag])
            .AddCheck<IocTwin.Api.Access.AreaTreeLoader>("areas", tags: [ReadyTag])
            .AddCheck<IocTwin.Hosting.Sectors.SectorCatalogFollower>("sectors", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapTwinHealthChecks(this IEndpointRouteBuilder app)
    {
        // Live: the process answers. Ready: storage, the silo and the sample city (when this process seeds it) are
        // loaded, the twin answers a query, the state held for city screens and the stored catalogue of sectors have been read once.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }
}
