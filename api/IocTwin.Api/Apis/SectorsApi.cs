using IocTwin.Api.Access;
using IocTwin.Api.Reports;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Topology;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace IocTwin.Api.Apis;

/// <summary>
/// The city's catalogue of sectors and sensor kinds: anyone reads the sectors (screens name and colour them before signing
/// in), every role the kinds; only the IOC replaces either. A new catalogue is stored in its grain and announced to every process.
/// </summary>
public static class SectorsApi
{
    public static IEndpointRouteBuilder MapSectorsApi(this IEndpointRouteBuilder group)
    {
        // Names and colours, like the screens' settings (/config), are read before signing in: the OC chooser lists sectors.
        group.MapGet("/sectors", (HttpContext http) => TypedResults.Ok(Tagged(http, SectorCatalog.Current.Document).Sectors))
            .WithTags("Sectors").AllowAnonymous()
            .WithSummary("The city's sectors: id, names in Vietnamese and English, colour, KPI rules; in the order screens list them. ETag: the catalogue's version.");
        group.MapPut("/sectors", PutSectors).WithTags("Sectors").RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Replaces the city's sectors (IOC only). 409 when a sector removed still has sensors, sensor kinds, report categories or open reports; 412 when If-Match names another version.");
        group.MapGet("/sensor-kinds", (HttpContext http) => TypedResults.Ok(Tagged(http, SectorCatalog.Current.Document).Kinds)).WithTags("Sectors")
            .WithSummary("The city's sensor kinds: sector, values with units and physical ranges, default alert. ETag: the catalogue's version.");
        group.MapPut("/sensor-kinds", PutKinds).WithTags("Sectors").RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Replaces the city's sensor kinds (IOC only). 409 when a kind removed still has sensors or KPI rules; 412 when If-Match names another version.");
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<SectorDefinition>>, ValidationProblem, ProblemHttpResult>> PutSectors(
        List<SectorDefinition?>? body, HttpContext http, IGrainFactory grains, IAuditLog audit, IOptions<ReportOptions> reports)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var change = await grains.GetGrain<ISectorCatalogGrain>(0)
            .StoreSectors(body, SectorCatalog.Current.Document, IfMatch(http), await UsesAsync(grains, reports.Value));
        if (Invalid(change.Problems) is { } invalid)
        {
            return invalid;
        }
        if (Refused(change, http, "A sector removed is still in use") is { } refused)
        {
            return refused;
        }
        var stored = Adopt(http, change.Catalog);
        await audit.RecordAsync(http.User, AuditActions.SectorsPut, "sectors", string.Join(", ", stored.Sectors.Select(s => s.Id)));
        return TypedResults.Ok(stored.Sectors);
    }

    public static async Task<Results<Ok<IReadOnlyList<SensorKindDefinition>>, ValidationProblem, ProblemHttpResult>> PutKinds(
        List<SensorKindDefinition?>? body, HttpContext http, IGrainFactory grains, IAuditLog audit, IOptions<ReportOptions> reports)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var change = await grains.GetGrain<ISectorCatalogGrain>(0)
            .StoreKinds(body, SectorCatalog.Current.Document, IfMatch(http), await UsesAsync(grains, reports.Value));
        if (Invalid(change.Problems) is { } invalid)
        {
            return invalid;
        }
        if (Refused(change, http, "A sensor kind or value removed is still in use") is { } refused)
        {
            return refused;
        }
        var stored = Adopt(http, change.Catalog);
        await audit.RecordAsync(http.User, AuditActions.SensorKindsPut, "sensor-kinds", string.Join(", ", stored.Kinds.Select(k => k.Id)));
        return TypedResults.Ok(stored.Kinds);
    }

    /// <summary>The 412 or 409 for a change the grain refused (nothing was changed); null when it was stored or invalid.</summary>
    private static ProblemHttpResult? Refused(CatalogChange change, HttpContext http, string conflictTitle) => change.Outcome switch
    {
        CatalogChangeOutcome.VersionMismatch => TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
            title: "The catalogue changed since it was read",
            detail: $"If-Match does not name the stored version ({Tagged(http, change.Catalog).Version}, in ETag): read the catalogue "
                + "again and make the change to what it holds. Nothing was changed."),
        CatalogChangeOutcome.Conflict => Conflict(conflictTitle, [.. change.Conflicts]),
        _ => null,
    };

    /// <summary>Uses the stored catalogue here at once (the grain announces it to every other process) and tags the answer.</summary>
    private static SectorCatalogDocument Adopt(HttpContext http, SectorCatalogDocument stored)
    {
        var catalog = new SectorCatalog(stored);
        SectorCatalog.UseIfNewer(catalog);
        return Tagged(http, catalog.Document);
    }

    /// <summary>Sets the ETag to the catalogue's version: a PUT sends it back in If-Match so as not to undo a change it never saw.</summary>
    private static SectorCatalogDocument Tagged(HttpContext http, SectorCatalogDocument catalog)
    {
        http.Response.Headers.ETag = $"\"{catalog.Version}\"";
        return catalog;
    }

    /// <summary>
    /// The versions If-Match names; null without the header or with "*" (the catalogue always exists). A tag that is
    /// not a version of ours (weak, or malformed) matches none, so the PUT is refused with 412 as HTTP says.
    /// </summary>
    private static List<long>? IfMatch(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }
        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return [];
        }
        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return null;
        }
        // A strong tag is quoted: "7".
        return [.. tags.Select(t => !t.IsWeak && long.TryParse(t.Tag.AsSpan().Trim('"'), out var version) ? version : -1).Where(v => v >= 0)];
    }

    private static ValidationProblem? Invalid(IReadOnlyList<CatalogFieldProblem> problems)
    {
        var errors = new Dictionary<string, List<string>>();
        foreach (var (field, message) in problems)
        {
            errors.AddError(field, message);
        }
        return errors.Count > 0 ? Problems.Fields(errors) : null;
    }

    private static ProblemHttpResult Conflict(string title, List<string> uses) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title,
            detail: string.Join("; ", uses.Take(20)) + (uses.Count > 20 ? $"; and {uses.Count - 20} more" : "") + ". Nothing was changed.");

    /// <summary>
    /// What still uses a sector or kind, as this API knows it: every registered sensor, from the areas holding them, the
    /// report categories routed to a sector and the open reports. The
    /// grain decides what a change removes, so this is read for every change: an admin change is rare, the read worth its cost.
    /// </summary>
    private static async Task<List<CatalogUse>> UsesAsync(IGrainFactory grains, ReportOptions reports)
    {
        var views = await LiveTopology.ReadViewsAsync(grains, await LiveTopology.DistrictIdsAsync(grains));
        return [.. views.Sensors.DistinctBy(s => s.Id).Select(s => new CatalogUse("sensors", s.Id, s.Sector.Id, s.Kind.Id)),
            .. await ReportsApi.SectorUsesAsync(reports, grains)];
    }
}
