using System.Security.Claims;
using IocTwin.Api.Access;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Apis;

public sealed record AlertRuleRequest(
    string? Name, SensorKind? Kind, Sector? Sector, string? Metric, double? Threshold, double? ClearThreshold, double? ForSeconds, string? Severity);

/// <summary>Alerts as operators handle them (list, acknowledge, resolve), each caller within its scope; and the rules.</summary>
public static class AlertsApi
{
    public static readonly string[] Severities = ["info", "warning", "critical"];

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder group)
    {
        var alerts = group.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAlerts).WithSummary("Alerts the caller may see, newest first; filter by district, sector, state.");
        alerts.MapPost("/{id}/ack", (string id, HttpContext http, IGrainFactory grains, IAuditLog audit) =>
            Handle(id, http, grains, audit, AuditActions.AlertAcknowledge, (district, by) => district.AcknowledgeAlert(id, by)));
        alerts.MapPost("/{id}/resolve", (string id, HttpContext http, IGrainFactory grains, IAuditLog audit) =>
            Handle(id, http, grains, audit, AuditActions.AlertResolve, (district, by) => district.ResolveAlert(id, by)));

        var rules = group.MapGroup("/alert-rules").WithTags("Alerts");
        rules.MapGet("/", async (IGrainFactory grains) => TypedResults.Ok(await grains.GetGrain<IAlertRulesGrain>(0).Get()));
        rules.MapPut("/{id}", PutRule).RequireAuthorization(AccessExtensions.OperatePolicy);
        rules.MapDelete("/{id}", DeleteRule).RequireAuthorization(AccessExtensions.OperatePolicy);
        return group;
    }

    public static async Task<Results<Ok<List<AlertView>>, ValidationProblem>> ListAlerts(
        string? district, string? sector, string? state, HttpContext http, IGrainFactory grains)
    {
        var errors = new Dictionary<string, List<string>>();
        Sector? sectorFilter = null;
        if (sector is not null)
        {
            if (SectorNames.TryParse(sector, out var parsed)) sectorFilter = parsed;
            else errors.AddError("sector", "is not a known sector");
        }
        AlertState? stateFilter = null;
        if (state is not null)
        {
            if (Enum.TryParse<AlertState>(state, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) stateFilter = parsed;
            else errors.AddError("state", "must be raised, acknowledged or resolved");
        }
        if (district is not null && !TopologyRules.IsValidId(district)) errors.AddError("district", TopologyRules.IdRule);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var access = http.Access();
        // Alerts are raised by the areas holding segments and sensors; a district filter takes the area and those below it.
        var tree = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
        var districts = (district is null ? tree.Links.Select(l => l.Id) : tree.Contains(district) ? tree.Subtree(district) : [])
            .Where(access.CanSeeDistrict);
        var lists = await Task.WhenAll(districts.Select(id => grains.GetGrain<IDistrictGrain>(id).GetAlerts()));
        return TypedResults.Ok(lists.SelectMany(l => l)
            .Where(a => access.CanSeeSensor(a.DistrictId, a.Sector))
            .Where(a => sectorFilter is null || a.Sector == sectorFilter)
            .Where(a => stateFilter is null || a.State == stateFilter)
            .OrderByDescending(a => a.RaisedAt)
            .ToList());
    }

    /// <summary>OCs handle the alerts of their own scope; the IOC all of them; viewers none.</summary>
    private static async Task<Results<Ok<AlertView>, ValidationProblem, ProblemHttpResult>> Handle(
        string id, HttpContext http, IGrainFactory grains, IAuditLog audit, string action, Func<IDistrictGrain, string, Task<AlertView?>> change)
    {
        if (!AlertIds.TryParseDistrict(id, out var districtId))
        {
            return Problems.Field("id", AlertIds.Rule);
        }
        var access = http.Access();
        // Only a district the twin knows is asked: an odd id wakes no grain.
        var known = access.CanSeeDistrict(districtId) && (await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas()).Contains(districtId);
        var district = grains.GetGrain<IDistrictGrain>(districtId);
        var alert = known ? (await district.GetAlerts()).FirstOrDefault(a => a.Id == id) : null;
        if (alert is null || !access.CanSeeSensor(alert.DistrictId, alert.Sector))
        {
            return Problems.NotFound("alert", id);
        }
        if (access.Role == TwinRoles.Viewer)
        {
            return AccessExtensions.Forbidden("handling alerts");
        }
        if (alert.State == AlertState.Resolved)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Alert already resolved",
                detail: $"Alert '{id}' was resolved at {alert.ResolvedAt:O} by {alert.ResolvedBy}.");
        }
        var by = http.User.FindFirstValue("name") ?? access.Role ?? "unknown";
        if (await change(district, by) is not { } changed)
        {
            return Problems.NotFound("alert", id);
        }
        await audit.RecordAsync(http.User, action, id, $"{alert.RuleName} on {alert.EntityId}");
        return TypedResults.Ok(changed);
    }

    public static async Task<Results<Ok<IReadOnlyList<AlertRule>>, ValidationProblem, ProblemHttpResult>> PutRule(
        string id, AlertRuleRequest? body, HttpContext http, IGrainFactory grains, IOptions<AlertRuleLimits> limits, IAuditLog audit)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        if (!TopologyRules.IsValidId(id)) errors.AddError("id", TopologyRules.IdRule);
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > TopologyRules.MaxNameLength) errors.AddError("name", "is required, at most 200 characters");
        if (string.IsNullOrWhiteSpace(body.Metric) || body.Metric.Length > 64) errors.AddError("metric", "is required: a value name, \"los\" or \"offline\"");
        if (body.Threshold is not { } threshold || !double.IsFinite(threshold)) errors.AddError("threshold", "is required, a finite number");
        var clear = body.ClearThreshold ?? body.Threshold ?? 0;
        if (!double.IsFinite(clear) || clear > (body.Threshold ?? double.MaxValue)) errors.AddError("clearThreshold", "must be at most the threshold");
        if (body.ForSeconds is { } forSeconds && forSeconds is < 0 or > 86_400) errors.AddError("forSeconds", "must be 0 to 86,400");
        if (body.Severity is { } severity && !Severities.Contains(severity)) errors.AddError("severity", "must be info, warning or critical");
        if (body.Kind is { } kind && !SectorCatalog.Current.Defines(kind)) errors.AddError("kind", $"is not a sensor kind the city defines ({SectorCatalog.Current.ExpectedKinds})");
        if (body.Sector is { } sector && !SectorCatalog.Current.Defines(sector)) errors.AddError("sector", $"is not a sector the city defines ({SectorCatalog.Current.ExpectedSectors})");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var rule = new AlertRule(id, body.Name!, body.Kind, body.Sector, body.Metric!, body.Threshold!.Value, clear, body.ForSeconds ?? 0,
            body.Severity ?? "warning");
        var max = limits.Value.MaxRules;
        if (await grains.GetGrain<IAlertRulesGrain>(0).TryPut(rule, max) is not { } rules)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many alert rules",
                detail: $"The twin keeps at most {max} alert rules; delete one or change an existing one.");
        }
        await audit.RecordAsync(http.User, AuditActions.AlertRulePut, id, $"{rule.Name}: {rule.Metric} {rule.Threshold}");
        return TypedResults.Ok(rules);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(string id, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        if (!await grains.GetGrain<IAlertRulesGrain>(0).Delete(id))
        {
            return Problems.NotFound("alert rule", id);
        }
        await audit.RecordAsync(http.User, AuditActions.AlertRuleDelete, id);
        return TypedResults.NoContent();
    }
}
