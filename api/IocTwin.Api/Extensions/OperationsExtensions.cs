using IocTwin.Hosting;
using IocTwin.Api.Access;
using Microsoft.AspNetCore.Authorization;
using Orleans.Dashboard;

namespace IocTwin.Api.Extensions;

public sealed class OperationsOptions
{
    public const string SectionName = "Twin:Operations";

    /// <summary>
    /// A port of this process (listed in Urls too) on which the operations endpoints answer without a token: bound to
    /// an address only operators reach. Unset: outside Development they need an IOC token.
    /// </summary>
    public int? Port { get; set; }
}

public static class OperationsExtensions
{
    /// <summary>
    /// The operations surface: Prometheus scrape endpoint at /metrics, the OpenAPI document, and in the embedded run,
    /// which hosts a silo, the Orleans dashboard at /dashboard (its API and live log stream below it) unless
    /// <c>Twin:Dashboard:Enabled</c> is false.
    /// </summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        var options = app.Configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        List<IEndpointConventionBuilder> endpoints = [app.MapOpenApi(), app.MapPrometheusScrapingEndpoint()];
        if (app.Services.GetRequiredService<TwinHostingOptions>().Mode == ApiMode.Embedded && app.Configuration.DashboardEnabled())
        {
            endpoints.Add(app.MapOrleansDashboard("/dashboard"));
        }
        if (options.Port is null && app.Environment.IsDevelopment())
        {
            return app;
        }
        foreach (var endpoint in endpoints)
        {
            endpoint.RequireAuthorization(policy => policy.RequireAssertion(context => OnOperationsPort(context, options) ||
                context.User.HasClaim(TwinClaims.Role, TwinRoles.Ioc)));
        }
        return app;
    }

    /// <summary>
    /// The connection's own local port, not the Host header (which the caller writes): a browser cannot put a token on
    /// the dashboard's requests, so the operations port is its gate.
    /// </summary>
    private static bool OnOperationsPort(AuthorizationHandlerContext context, OperationsOptions options) =>
        options.Port is { } port && context.Resource is HttpContext http && http.Connection.LocalPort == port;
}
