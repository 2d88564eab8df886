using IocTwin.Api.Apis;
using IocTwin.Api.Audit;
using IocTwin.Hosting;
using IocTwin.Persistence;

namespace IocTwin.Api.Extensions;

public static class GovernanceExtensions
{
    /// <summary>The audit log and the caps on scenarios and alert rules.</summary>
    public static WebApplicationBuilder AddTwinGovernance(this WebApplicationBuilder builder)
    {
        var hosting = builder.GetTwinHosting();
        builder.Services.AddSingleton(_ => new AuditStore(hosting));
        builder.Services.AddSingleton<IAuditLog, AuditLog>();
        builder.Services.Configure<ScenarioLimits>(builder.Configuration.GetSection(ScenarioLimits.SectionName));
        builder.Services.Configure<AlertRuleLimits>(builder.Configuration.GetSection(AlertRuleLimits.SectionName));
        return builder;
    }
}
