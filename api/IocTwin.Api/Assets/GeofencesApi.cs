using IocTwin.Api.Access;
using IocTwin.Api.Apis;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Assets;

/// <summary>
/// A geofence as written: trigger "enter", "leave", "dwell" or "speed"; a zone that is either an area ("areaId") or a
/// polygon ([lon, lat] corners); optional asset kinds; dwellSeconds for dwell, speedKmh for speed.
/// </summary>
public sealed record GeofenceRequest(
    string? Name, string? Trigger, string? AreaId, GeoPoint[]? Polygon, string[]? Kinds, double? DwellSeconds, double? SpeedKmh, string? Severity);

/// <summary>Geofence rules (IOC writes, every role reads); their alerts join the alerts API and the hub's alert frames.</summary>
public static class GeofencesApi
{
    public const int MaxCorners = 1_000;
    private const string AuditPut = "geofence.put";
    private const string AuditDelete = "geofence.delete";

    public static IEndpointRouteBuilder MapGeofencesApi(this IEndpointRouteBuilder group)
    {
        var rules = group.MapGroup("/geofences").WithTags("Assets");
        rules.MapGet("/", ListGeofences)
            .WithSummary("The geofence rules of the areas the caller may see.");
        rules.MapPut("/{id}", PutGeofence).RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Adds or replaces a geofence rule; assets apply it within 10 seconds.");
        rules.MapDelete("/{id}", DeleteGeofence).RequireAuthorization(AccessExtensions.OperatePolicy);
        return group;
    }

    /// <summary>
    /// A rule is seen by those who may see the area it lives in (its own area, or the one holding its polygon); a
    /// polygon outside every area only by the IOC and viewers.
    /// </summary>
    public static async Task<Ok<List<GeofenceRule>>> ListGeofences(HttpContext http, IGrainFactory grains)
    {
        var access = http.Access();
        var rules = await grains.GetGrain<IGeofencesGrain>(0).Get();
        return TypedResults.Ok(rules.Where(r => (r.AreaId ?? r.HomeAreaId) is { } area ? access.CanSeeDistrict(area) : access.SeesEverything).ToList());
    }

    public static async Task<Results<Ok<IReadOnlyList<GeofenceRule>>, ValidationProblem, ProblemHttpResult>> PutGeofence(
        string id, GeofenceRequest? body, HttpContext http, IGrainFactory grains, KnownEntities areas, IOptions<AlertRuleLimits> limits, IAuditLog audit)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        if (!TopologyRules.IsValidId(id)) errors.AddError("id", TopologyRules.IdRule);
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > TopologyRules.MaxNameLength) errors.AddError("name", "is required, at most 200 characters");
        if (!Enum.TryParse<GeofenceTrigger>(body.Trigger, ignoreCase: true, out var trigger) || !Enum.IsDefined(trigger) || body.Trigger!.Any(char.IsDigit))
        {
            errors.AddError("trigger", "must be enter, leave, dwell or speed");
        }
        if ((body.AreaId is null) == (body.Polygon is null)) errors.AddError("areaId", "give either an area id or a polygon");
        if (body.AreaId is { } areaId && !(TopologyRules.IsValidId(areaId) && await areas.ExistsAsync(EntityKind.District, areaId)))
        {
            errors.AddError("areaId", "is not an area of the city");
        }
        if (body.Polygon is { } polygon && (polygon.Length is < 3 or > MaxCorners || !polygon.All(p => p.IsValid)))
        {
            errors.AddError("polygon", $"must be 3 to {MaxCorners} valid [lon, lat] corners");
        }
        var kinds = new List<AssetKind>();
        foreach (var kind in body.Kinds ?? [])
        {
            if (AssetRequests.TryParseKind(kind, out var parsed)) kinds.Add(parsed);
            else errors.AddError("kinds", $"'{kind}' is not an asset kind");
        }
        if (trigger == GeofenceTrigger.Dwell && body.DwellSeconds is not (> 0 and <= 86_400)) errors.AddError("dwellSeconds", "is required for dwell, 1 to 86,400");
        if (trigger == GeofenceTrigger.Speed && body.SpeedKmh is not (> 0 and <= AssetRequests.MaxSpeedKmh)) errors.AddError("speedKmh", $"is required for speed, over 0 up to {AssetRequests.MaxSpeedKmh}");
        if (body.Severity is { } severity && !AlertsApi.Severities.Contains(severity)) errors.AddError("severity", "must be info, warning or critical");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        // An alert needs an area to live in when the asset is outside every area: the rule's own, or the polygon's.
        var home = body.AreaId ?? (await grains.GetGrain<IAreaLocatorGrain>(0).Locate([body.Polygon![0]]))[0].FirstOrDefault();
        var rule = new GeofenceRule(id, body.Name!, trigger, body.AreaId, body.Polygon, kinds.Count > 0 ? kinds : null, body.DwellSeconds ?? 0,
            body.SpeedKmh ?? 0, body.Severity ?? "warning", home);
        var max = limits.Value.MaxRules;
        if (await grains.GetGrain<IGeofencesGrain>(0).TryPut(rule, max) is not { } rules)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many geofences",
                detail: $"The twin keeps at most {max} geofence rules; delete one or change an existing one.");
        }
        await audit.RecordAsync(http.User, AuditPut, id, $"{rule.Name}: {trigger}");
        return TypedResults.Ok(rules);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteGeofence(string id, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        if (!TopologyRules.IsValidId(id) || !await grains.GetGrain<IGeofencesGrain>(0).Delete(id))
        {
            return Problems.NotFound("geofence", id);
        }
        await audit.RecordAsync(http.User, AuditDelete, id);
        return TypedResults.NoContent();
    }
}
