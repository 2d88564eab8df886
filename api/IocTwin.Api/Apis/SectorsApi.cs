using IocTwin.Api.Access;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Api.Reports;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Topology;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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
        group.MapGet("/sectors", () => TypedResults.Ok(SectorCatalog.Current.Document.Sectors)).WithTags("Sectors").AllowAnonymous()
            .WithSummary("The city's sectors: id, names in Vietnamese and English, colour, KPI rules; in the order screens list them.");
        group.MapPut("/sectors", PutSectors).WithTags("Sectors").RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Replaces the city's sectors (IOC only). 409 when a sector removed still has sensors, sensor kinds, report categories or open reports.");
        group.MapGet("/sensor-kinds", () => TypedResults.Ok(SectorCatalog.Current.Document.Kinds)).WithTags("Sectors")
            .WithSummary("The city's sensor kinds: sector, values with units and physical ranges, default alert.");
        group.MapPut("/sensor-kinds", PutKinds).WithTags("Sectors").RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Replaces the city's sensor kinds (IOC only). 409 when a kind removed still has sensors or KPI rules.");
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<SectorDefinition>>, ValidationProblem, ProblemHttpResult>> PutSectors(
        List<SectorDefinition?>? body, HttpContext http, IGrainFactory grains, IAuditLog audit, IOptions<ReportOptions> reports)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var current = SectorCatalog.Current.Document;
        if (Invalid(SectorCatalogRules.ValidateSectors(body, current.Kinds)) is { } invalid)
        {
            return invalid;
        }
        var sectors = body.OfType<SectorDefinition>().ToList();
        var kept = sectors.Select(s => s.Id).ToHashSet();
        var removed = current.Sectors.Where(s => !kept.Contains(s.Id)).Select(s => s.Id).ToHashSet();
        var conflicts = current.Kinds.Where(k => removed.Contains(k.Sector)).Select(k => $"sensor kind '{k.Id}' belongs to sector '{k.Sector}'")
            .Concat(removed.Count == 0 ? [] : (await SensorsAsync(grains)).Where(s => removed.Contains(s.Sector.Id))
                .GroupBy(s => s.Sector.Id).Select(g => $"sector '{g.Key}' has {g.Count()} sensors (e.g. '{g.First().Id}')"))
            .Concat(await ReportsApi.SectorUsesAsync(removed, reports.Value, grains))
            .ToList();
        if (conflicts.Count > 0)
        {
            return Conflict("A sector removed is still in use", conflicts);
        }
        var stored = await StoreAsync(grains, new SectorCatalogDocument(sectors, current.Kinds));
        await audit.RecordAsync(http.User, AuditActions.SectorsPut, "sectors", string.Join(", ", kept));
        return TypedResults.Ok(stored.Document.Sectors);
    }

    public static async Task<Results<Ok<IReadOnlyList<SensorKindDefinition>>, ValidationProblem, ProblemHttpResult>> PutKinds(
        List<SensorKindDefinition?>? body, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var current = SectorCatalog.Current.Document;
        if (Invalid(SectorCatalogRules.ValidateKinds(body, current.Sectors)) is { } invalid)
        {
            return invalid;
        }
        var kinds = body.OfType<SensorKindDefinition>().ToList();
        var values = kinds.ToDictionary(k => k.Id, k => k.Values.Select(v => v.Name).ToHashSet());
        var removed = current.Kinds.Select(k => k.Id).Where(id => !values.ContainsKey(id)).ToHashSet();
        var conflicts = current.Sectors.SelectMany(s => (s.Kpis ?? []).Select(kpi => (Sector: s.Id, Kpi: kpi)))
            .Where(r => !values.TryGetValue(r.Kpi.Kind, out var names) || !names.Contains(r.Kpi.Value))
            .Select(r => $"KPI '{r.Kpi.Id}' of sector '{r.Sector}' reads value '{r.Kpi.Value}' of kind '{r.Kpi.Kind}'")
            .Concat(removed.Count == 0 ? [] : (await SensorsAsync(grains)).Where(s => removed.Contains(s.Kind.Id))
                .GroupBy(s => s.Kind.Id).Select(g => $"kind '{g.Key}' has {g.Count()} sensors (e.g. '{g.First().Id}')"))
            .ToList();
        if (conflicts.Count > 0)
        {
            return Conflict("A sensor kind or value removed is still in use", conflicts);
        }
        var stored = await StoreAsync(grains, new SectorCatalogDocument(current.Sectors, kinds));
        await audit.RecordAsync(http.User, AuditActions.SensorKindsPut, "sensor-kinds", string.Join(", ", values.Keys));
        return TypedResults.Ok(stored.Document.Kinds);
    }

    private static ValidationProblem? Invalid(List<(string Field, string Message)> problems)
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

    /// <summary>Stores the catalogue and uses it here at once; the grain announces it to every other process.</summary>
    private static async Task<SectorCatalog> StoreAsync(IGrainFactory grains, SectorCatalogDocument document)
    {
        var catalog = new SectorCatalog(document);
        await grains.GetGrain<ISectorCatalogGrain>(0).Store(catalog.Document);
        SectorCatalog.Use(catalog);
        return catalog;
    }

    /// <summary>Every registered sensor, from the areas holding them: an admin change is rare, the read is worth its cost.</summary>
    private static async Task<IEnumerable<SensorView>> SensorsAsync(IGrainFactory grains)
    {
        var views = await LiveTopology.ReadViewsAsync(grains, await LiveTopology.DistrictIdsAsync(grains));
        return views.Sensors.DistinctBy(s => s.Id);
    }
}
