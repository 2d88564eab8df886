using IocTwin.Api.Access;
using IocTwin.Api.Apis;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Reports;

/// <summary>
/// Citizen reports: filed by the citizen app or the public form (anonymous callers rate-limited per address), tracked by
/// id in public, and listed and handled by the OCs responsible for them: a report is seen by the OCs of its area (and of
/// areas above it) and of its category's sector, and by the IOC; only the IOC sees the reporter's contact.
/// </summary>
public static class ReportsApi
{
    public const int DefaultPageSize = 100, MaxPageSize = 1_000;

    /// <summary>A client's key for one report, sent again on a retry: the retry answers the report the first attempt filed.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Who filed a report without a token.</summary>
    public const string Citizen = "citizen";

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder group)
    {
        var reports = group.MapGroup("/reports").WithTags("Reports");
        reports.MapPost("/", FileReport)
            .AllowAnonymous()
            .WithMetadata(new RequestSizeLimitAttribute(ReportOptions.MaxBodyBytes))
            .WithSummary("File a citizen report (category from the configured list, text, lat/lon inside the city, optional photo address and contact). " +
                "Anonymous callers are rate-limited per address (429 with Retry-After). An Idempotency-Key header makes a retry answer the report " +
                "the first attempt filed, never a second one. Answers the report's id and its public tracking view.")
            .Produces<ReportStatus>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        reports.MapGet("/form", GetForm)
            .AllowAnonymous()
            .WithSummary("What the public form needs: the categories citizens may file under (with sector and SLA), and the outlines of " +
                "the areas directly under the city to place a report on.");
        reports.MapGet("/{id}/status", GetStatus)
            .AllowAnonymous()
            .WithSummary("A report's public tracking view: its state and when it last changed; never its text or contact.");
        reports.MapGet("/", ListReports)
            .WithSummary("Reports the caller may see, soonest SLA deadline first; filter by area (with the areas below it), state, category, " +
                "overdue; page with offset and limit (at most 1,000). The reporter's contact only for the IOC.");
        reports.MapGet("/{id}", GetReport).WithSummary("A report the caller may see, with its lifecycle; the reporter's contact only for the IOC.");
        foreach (var action in Enum.GetValues<ReportAction>())
        {
            var name = action.ToString().ToLowerInvariant();
            reports.MapPost($"/{{id}}/{name}", (string id, ReportActionRequest? body, HttpContext http, IGrainFactory grains, IAuditLog audit) =>
                    Act(id, action, body, http, grains, audit))
                .WithSummary($"{action} a report: its area's or sector's OC, or the IOC (403 otherwise); 409 when not allowed from its state " +
                    "(received → assigned → in progress → resolved; reject, with a reason, from any open state; no resolve before assign).");
        }
        return group;
    }

    public static async Task<Results<Created<ReportStatus>, ValidationProblem, ProblemHttpResult>> FileReport(
        ReportRequest? body, HttpContext http, IGrainFactory grains, IOptions<ReportOptions> options, TimeProvider time)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        var idempotencyKey = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.Any(char.IsControl))
        {
            errors.AddError(IdempotencyKeyHeader, $"must be at most {MaxIdempotencyKeyLength} characters, on one line");
        }
        if (ReportRequests.Check(body, options.Value, errors) is not { } report || errors.Count > 0)
        {
            return errors.Count > 0 ? Problems.Fields(errors) : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Category not routable", detail: $"Category '{body.Category}' belongs to a sector the city's catalogue does not define; " +
                    "no OC could take the report. Nothing was stored.");
        }
        try
        {
            var areaPath = (await grains.GetGrain<IAreaLocatorGrain>(0).Locate([report.Location]))[0];
            if (areaPath.Length == 0)
            {
                return Problems.Field("lat", "the place (lat, lon) is outside every area of the city: no OC could take the report");
            }
            var access = http.Access();
            var id = idempotencyKey.Length == 0 ? Guid.NewGuid().ToString("N") : ReportIdFor(idempotencyKey, access);
            var now = time.GetUtcNow();
            var filed = await grains.GetGrain<IReportGrain>(id).File(new NewReport(report.Location, report.Category, report.Sector, report.Text,
                report.PhotoUrl, report.Contact, areaPath[0], now, now + report.Sla, FiledBy(access)));
            return TypedResults.Created($"{http.Request.PathBase}/api/v1/reports/{id}/status", StatusOf(filed));
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OrleansException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Report not stored",
                detail: "The twin could not store the report; retry shortly.");
        }
    }

    /// <summary>
    /// Who a report is recorded as filed by: staff who act on reports (the IOC, an OC) filing on a citizen's behalf by
    /// their token's subject; anyone else (no token, a viewer, a token of no twin role) as <see cref="Citizen"/>, so no
    /// identity of the public is kept beyond the contact they chose to give.
    /// </summary>
    public static string FiledBy(TwinAccess access) =>
        access.Role is TwinRoles.Ioc or TwinRoles.DistrictOc or TwinRoles.SectorOc && access.Subject.Length > 0 ? access.Subject : Citizen;

    public static async Task<Ok<ReportForm>> GetForm(IOptions<ReportOptions> options, AreaOutlines outlines) =>
        TypedResults.Ok(new ReportForm(
            [.. options.Value.Categories.Select(c => (c.Key, c.Value, Routable: SectorNames.TryParse(c.Value.Sector, out var sector), sector))
                .Where(c => c.Routable).Select(c => new ReportCategory(c.Key, c.sector, c.Value.Sla.TotalHours))],
            [.. (await outlines.GetAsync()).Where(o => o.Depth == 0)
                .Select(o => new ReportFormArea(o.Area.Id, o.Area.Name, o.Area.NameEn, o.Area.Boundary ?? []))]));

    public static async Task<Results<Ok<ReportStatus>, ProblemHttpResult>> GetStatus(string id, IGrainFactory grains) =>
        await FindAsync(id, grains) is { } report ? TypedResults.Ok(StatusOf(report)) : Problems.NotFound("report", id);

    public static async Task<Results<Ok<ReportPage>, ValidationProblem>> ListReports(
        string? area, string? state, string? category, bool? overdue, int? offset, int? limit, HttpContext http, IGrainFactory grains,
        TimeProvider time)
    {
        var errors = new Dictionary<string, List<string>>();
        ReportState? stateFilter = null;
        if (state is not null)
        {
            stateFilter = Enum.GetValues<ReportState>().Where(s => StateName(s) == state).Cast<ReportState?>().FirstOrDefault();
            if (stateFilter is null) errors.AddError("state", "must be received, assigned, in-progress, resolved or rejected");
        }
        if (offset is < 0) errors.AddError("offset", "must be 0 or more");
        if (limit is < 1 or > MaxPageSize) errors.AddError("limit", $"must be 1 to {MaxPageSize}");
        var tree = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
        if (area is not null && !tree.Contains(area)) errors.AddError("area", "is not an area of the city");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var access = http.Access();
        var now = time.GetUtcNow();
        HashSet<string>? areas = area is null ? null : [area];
        var matching = (await ReportIndex.ListAsync(grains))
            .Where(e => access.CanSeeSensor(e.AreaId, e.Sector))
            .Where(e => areas is null || tree.IsWithin(e.AreaId, areas))
            .Where(e => stateFilter is null || e.State == stateFilter)
            .Where(e => category is null || e.Category == category)
            .Where(e => overdue is null || Overdue(e, now) == overdue)
            .OrderBy(e => e.DueAt).ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
        var (skip, take) = (offset ?? 0, limit ?? DefaultPageSize);
        var views = await Task.WhenAll(matching.Skip(skip).Take(take).Select(e => grains.GetGrain<IReportGrain>(e.Id).Get()));
        return TypedResults.Ok(new ReportPage(matching.Count, skip, take, [.. views.OfType<ReportView>().Select(v => ForCaller(v, access))]));
    }

    public static async Task<Results<Ok<ReportView>, ProblemHttpResult>> GetReport(string id, HttpContext http, IGrainFactory grains)
    {
        var access = http.Access();
        // Out of the caller's scope answers as an unknown report does.
        return await FindAsync(id, grains) is { } report && access.CanSeeSensor(report.AreaId, report.Sector)
            ? TypedResults.Ok(ForCaller(report, access))
            : Problems.NotFound("report", id);
    }

    private static async Task<Results<Ok<ReportView>, ValidationProblem, ProblemHttpResult>> Act(
        string id, ReportAction action, ReportActionRequest? body, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        var errors = new Dictionary<string, List<string>>();
        var note = ReportRequests.CheckAction(action, body, errors);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await FindAsync(id, grains) is not { } report)
        {
            return Problems.NotFound("report", id);
        }
        var access = http.Access();
        // The report's id is its reporter's tracking number: telling an OC it is not theirs reveals no more than its status does.
        if (access.Role == TwinRoles.Viewer || !access.CanSeeSensor(report.AreaId, report.Sector))
        {
            return AccessExtensions.Forbidden("handling this report: it is for the OCs of its area or sector, and the IOC");
        }
        var by = access.Subject.Length > 0 ? access.Subject : access.Role ?? "unknown";
        if (await grains.GetGrain<IReportGrain>(id).Act(action, by, note) is not { } result)
        {
            return Problems.NotFound("report", id);
        }
        if (!result.Applied)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Cannot {action.ToString().ToLowerInvariant()} the report",
                detail: $"Report '{id}' is {StateName(result.Report.State)}; " +
                    "a report goes received → assigned → in progress → resolved, and may be rejected while open.",
                extensions: new Dictionary<string, object?> { ["state"] = StateName(result.Report.State) });
        }
        await audit.RecordAsync(http.User, AuditActions.ReportPrefix + action.ToString().ToLowerInvariant(), id,
            $"{report.Category} in {report.AreaId}: {StateName(result.Report.State)}");
        return TypedResults.Ok(ForCaller(result.Report, access));
    }

    /// <summary>What keeps a sector from being removed: report categories routed to it, and its open reports.</summary>
    public static async Task<IEnumerable<CatalogUse>> SectorUsesAsync(ReportOptions options, IGrainFactory grains)
    {
        var categories = options.Categories.Select(c => new CatalogUse("report categories", c.Key, c.Value.Sector, null));
        var open = (await ReportIndex.ListAsync(grains)).Where(e => e.State is not (ReportState.Resolved or ReportState.Rejected))
            .Select(e => new CatalogUse("open reports", e.Id, e.Sector.Id, null));
        return [.. categories, .. open];
    }

    /// <summary>
    /// The id of a report filed under an idempotency key: the same key from the same caller names the same report, so a
    /// retry after a 503 (or a lost answer) files nothing twice and finishes what the first attempt left undone.
    /// </summary>
    private static string ReportIdFor(string idempotencyKey, TwinAccess access)
    {
        var caller = access.Role is null ? Citizen : $"{access.Role}:{access.Subject}";
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{caller}\n{idempotencyKey}"));
        return Convert.ToHexStringLower(hash, 0, 16);
    }

    /// <summary>The report under an id the index knows; an id it does not know (or of the wrong shape) wakes no grain.</summary>
    private static async Task<ReportView?> FindAsync(string id, IGrainFactory grains) =>
        IsReportId(id) && await ReportIndex.Of(grains, id).Find(id) is not null ? await grains.GetGrain<IReportGrain>(id).Get() : null;

    public static bool IsReportId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    private static bool Overdue(ReportEntry entry, DateTimeOffset now) =>
        entry.State is not (ReportState.Resolved or ReportState.Rejected) && now > entry.DueAt;

    /// <summary>The reporter's contact is for the IOC alone.</summary>
    private static ReportView ForCaller(ReportView report, TwinAccess access) => access.CanOperate ? report : report with { Contact = null };

    private static ReportStatus StatusOf(ReportView report) =>
        new(report.Id, report.Category, report.State, report.CreatedAt, report.Steps.Count > 0 ? report.Steps[^1].At : report.CreatedAt);

    private static string StateName(ReportState state) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());
}
