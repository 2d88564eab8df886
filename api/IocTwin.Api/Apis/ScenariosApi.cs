using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Security.Claims;
using IocTwin.Api.Access;
using IocTwin.Api.Audit;
using IocTwin.Api.Extensions;
using IocTwin.Api.History;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Apis;

/// <summary>
/// A new scenario; it may come with its first interventions. <see cref="ConvergenceGap"/>: the relative gap each
/// traffic assignment of its runs iterates to (more than 0, less than 1; default 1e-4). <c>model</c>: "dynamic" (the
/// default) or "static".
/// </summary>
public sealed record ScenarioRequest(string? Name, string? Baseline, int? HorizonMinutes, int? StepSeconds,
    IReadOnlyList<InterventionSpec>? Interventions = null, double? ConvergenceGap = null, string? Model = null);

/// <summary>What-if scenarios on a fork of the twin: create, intervene, run, compare with the baseline, delete.</summary>
public static class ScenariosApi
{
    public const int MaxHorizonMinutes = 24 * 60;

    public static IEndpointRouteBuilder MapScenariosApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/scenarios").WithTags("Scenarios");
        read.MapGet("/", ListScenarios).WithSummary("The scenarios the caller may see: all for the IOC and viewers, its own for an OC.");
        read.MapGet("/{id}", GetScenario).WithSummary("The scenario, and once run, its KPIs over time and at the end beside the baseline's.");
        // The IOC and OCs try scenarios; an OC's interventions stay within its scope.
        var write = app.MapGroup("/scenarios").WithTags("Scenarios")
            .RequireAuthorization(p => p.RequireClaim(TwinClaims.Role, TwinRoles.Ioc, TwinRoles.DistrictOc, TwinRoles.SectorOc));
        write.MapPost("/", CreateScenario).Accepts<ScenarioRequest>("application/json")
            .WithSummary("Fork the twin as it is now (baseline \"live\") or was at an ISO-8601 time, with any first interventions.");
        write.MapPost("/{id}/interventions", AddIntervention).Accepts<InterventionSpec>("application/json")
            .WithSummary("Add an intervention; \"kind\" says which, and which fields it needs.");
        write.MapPost("/{id}/run", RunScenario).WithSummary("Start the run; progress streams on the hub scope scenario:{id}.");
        write.MapDelete("/{id}", DeleteScenario);
        return app;
    }

    public static async Task<Results<Created<ScenarioSummary>, ValidationProblem, ProblemHttpResult>> CreateScenario(
        HttpRequest request, IGrainFactory grains, CityReplay replay, TimeProvider time, IOptions<ScenarioLimits> limits, KnownEntities known,
        IAuditLog audit, CancellationToken cancellationToken)
    {
        // Read by hand rather than bound: interventions are read one by one, so that a request with several bad ones is
        // answered with every problem named by its place in the list (interventions[2].segmentId), kind included.
        var (json, problem) = await InterventionRequests.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        // The interventions are read apart, so that each problem is named by its place in the list.
        json!.Remove("interventions", out var interventionsJson);
        ScenarioRequest? body;
        try
        {
            body = json.Deserialize<ScenarioRequest>(TwinJson.Options)!;
        }
        catch (JsonException ex)
        {
            return Problems.Field(BadRequestBodyHandler.FieldName(ex.Path), BadRequestBodyHandler.FirstSentence(ex.Message));
        }
        var errors = new Dictionary<string, List<string>>();
        var now = time.GetUtcNow();
        var name = body!.Name?.Trim() ?? "";
        if (name.Length is 0 or > TopologyRules.MaxNameLength) errors.AddError("name", "is required, at most 200 characters");
        var horizon = body.HorizonMinutes ?? 60;
        if (horizon is < 1 or > MaxHorizonMinutes) errors.AddError("horizonMinutes", $"must be 1 to {MaxHorizonMinutes}");
        var step = body.StepSeconds ?? 60;
        if (step is < 10 or > 3600) errors.AddError("stepSeconds", "must be 10 to 3600");
        else if (horizon * 60 / step > 10_000) errors.AddError("stepSeconds", "gives more than 10,000 steps; take longer steps");
        var gap = body.ConvergenceGap ?? ScenarioDefinition.DefaultConvergenceGap;
        if (gap is not (> 0 and < 1)) errors.AddError("convergenceGap", "must be more than 0 and less than 1 (a relative gap such as 1e-4)");
        DateTimeOffset baselineTime = now;
        var fromLive = body.Baseline is null or "live";
        if (!fromLive)
        {
            if (!DateTimeOffset.TryParse(body.Baseline, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out baselineTime))
                errors.AddError("baseline", "must be \"live\" or an ISO-8601 time");
            else if (baselineTime > now)
                errors.AddError("baseline", "is in the future");
        }
        var model = ScenarioModels.Read(body.Model, errors);
        var interventions = InterventionRequests.ReadList(interventionsJson, horizon, errors);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var access = request.HttpContext.Access();
        for (var i = 0; i < interventions.Count && !access.SeesEverything; i++)
        {
            if (await ScenarioReportScope.OutsideScopeAsync(interventions[i], access, grains, known, $"interventions[{i}].") is { } outside)
            {
                return outside;
            }
        }
        var id = "scn-" + Guid.NewGuid().ToString("N")[..12];
        var creator = Creator(request.HttpContext);
        var index = grains.GetGrain<IScenarioIndexGrain>(0);
        var cap = limits.Value;
        switch (await index.Reserve(id, creator, cap.MaxPerCreator, cap.MaxTotal))
        {
            case ScenarioAdmission.CreatorFull:
                return TooMany($"You have {cap.MaxPerCreator} scenarios, as many as one operator may keep; delete one first.");
            case ScenarioAdmission.TwinFull:
                return TooMany($"The twin holds {cap.MaxTotal} scenarios, as many as it keeps; delete one first.");
        }
        try
        {
            // Copy-on-write: the fork keeps only the segments that were not open at the baseline.
            var forked = fromLive
                ? (await LiveTopology.ReadAsync(grains)).Segments.Where(s => s.Status != SegmentStatus.Open).ToDictionary(s => s.Id, s => s.Status)
                : (await replay.AtAsync(baselineTime, cancellationToken)).Segments.Where(s => s.Status != SegmentStatus.Open).ToDictionary(s => s.Id, s => s.Status);
            var grain = grains.GetGrain<IScenarioGrain>(id);
            var summary = await grain.Create(new ScenarioDefinition(name, baselineTime.ToUniversalTime(), fromLive, horizon, step, forked, gap, model), creator);
            for (var i = 0; i < interventions.Count; i++)
            {
                try
                {
                    summary = await grain.AddIntervention(interventions[i]);
                }
                catch (ArgumentException ex)
                {
                    // One does not fit the city: no scenario, as if the request had not come.
                    await grain.Delete();
                    return Problems.Field($"interventions[{i}].{ex.ParamName}", ex.Message.Split(" (Parameter")[0]);
                }
            }
            await audit.RecordAsync(request.HttpContext.User, AuditActions.ScenarioCreate, id, name);
            return TypedResults.Created($"{ApiGroupExtensions.V1}/scenarios/{id}", summary);
        }
        catch
        {
            await index.Remove(id);
            throw;
        }
    }

    public static async Task<Ok<List<ScenarioSummary>>> ListScenarios(HttpContext http, IGrainFactory grains)
    {
        var access = http.Access();
        var entries = await grains.GetGrain<IScenarioIndexGrain>(0).List();
        var scenarios = await Task.WhenAll(entries.Where(e => access.CanSeeScenario(e.Creator)).Select(e => grains.GetGrain<IScenarioGrain>(e.Id).Get()));
        return TypedResults.Ok(scenarios.OfType<ScenarioSummary>().ToList());
    }

    public static async Task<Results<Ok<ScenarioDetails>, ProblemHttpResult>> GetScenario(string id, HttpContext http, IGrainFactory grains)
    {
        var access = http.Access();
        if (await FindVisibleAsync(id, access, grains) is not { } grain || await grain.Get() is not { } summary)
        {
            return Problems.NotFound("scenario", id);
        }
        var report = await grain.GetReport();
        return TypedResults.Ok(new ScenarioDetails(summary,
            report is null || access.SeesEverything ? report : ScenarioReportScope.Restrict(report, access)));
    }

    public static async Task<Results<Ok<ScenarioSummary>, ValidationProblem, ProblemHttpResult>> AddIntervention(
        string id, HttpRequest request, IGrainFactory grains, KnownEntities known, IAuditLog audit, CancellationToken cancellationToken)
    {
        var (intervention, problem) = await InterventionRequests.ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var access = request.HttpContext.Access();
        if (await FindVisibleAsync(id, access, grains, creatorOnly: true) is not { } grain || await grain.Get() is not { } summary)
        {
            return Problems.NotFound("scenario", id);
        }
        var errors = new Dictionary<string, List<string>>();
        InterventionRequests.Validate(intervention!, summary.HorizonMinutes, "", errors);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (!access.SeesEverything && await ScenarioReportScope.OutsideScopeAsync(intervention!, access, grains, known) is { } outside)
        {
            return outside;
        }
        try
        {
            var changed = await grain.AddIntervention(intervention!);
            await audit.RecordAsync(request.HttpContext.User, AuditActions.ScenarioIntervene, id, intervention!.Kind);
            return TypedResults.Ok(changed);
        }
        catch (ArgumentException ex)
        {
            // The simulation checks the intervention against the city's roads and districts.
            return Problems.Field(ex.ParamName ?? "body", ex.Message.Split(" (Parameter")[0]);
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Scenario is running", detail: ex.Message);
        }
    }

    public static async Task<Results<Accepted<ScenarioSummary>, ProblemHttpResult>> RunScenario(
        string id, HttpContext http, IGrainFactory grains, IOptions<ScenarioLimits> limits, IAuditLog audit)
    {
        var access = http.Access();
        var index = grains.GetGrain<IScenarioIndexGrain>(0);
        if (await FindVisibleAsync(id, access, grains) is not { } grain || await grain.Get() is null)
        {
            return Problems.NotFound("scenario", id);
        }
        // Runs count against whoever starts them: the CPU is spent at their request.
        var cap = limits.Value;
        var admission = await index.StartRun(id, CreatorKey(access), cap.MaxConcurrentRunsPerCreator, cap.MaxConcurrentRuns, cap.RunLease);
        if (admission != ScenarioAdmission.Admitted)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(cap.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many scenario runs",
                detail: admission == ScenarioAdmission.CreatorFull
                    ? $"You have {cap.MaxConcurrentRunsPerCreator} scenarios running, as many as one operator may; try again when one ends."
                    : $"The twin runs {cap.MaxConcurrentRuns} scenarios, as many as it runs at once; try again when one ends.");
        }
        ScenarioSummary started;
        try
        {
            started = await grain.Run();
        }
        catch
        {
            await index.RunEnded(id);
            throw;
        }
        await audit.RecordAsync(http.User, AuditActions.ScenarioRun, id);
        return TypedResults.Accepted($"{ApiGroupExtensions.V1}/scenarios/{id}", started);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteScenario(string id, HttpContext http, IGrainFactory grains, IAuditLog audit)
    {
        if (await FindVisibleAsync(id, http.Access(), grains) is not { } grain || await grain.Get() is null)
        {
            return Problems.NotFound("scenario", id);
        }
        await grain.Delete();
        await audit.RecordAsync(http.User, AuditActions.ScenarioDelete, id);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The scenario when the caller may see it (changing it, with <paramref name="creatorOnly"/>: when it is the
    /// caller's own); otherwise null, answered as unknown so that nobody learns what others try. Unknown ids reach no
    /// scenario grain.
    /// </summary>
    private static async Task<IScenarioGrain?> FindVisibleAsync(string id, TwinAccess access, IGrainFactory grains, bool creatorOnly = false)
    {
        if (!TopologyRules.IsValidId(id) || await grains.GetGrain<IScenarioIndexGrain>(0).Find(id) is not { } entry ||
            !access.CanSeeScenario(entry.Creator))
        {
            return null;
        }
        var own = entry.Creator is null ? access.CanOperate : entry.Creator.Key == CreatorKey(access);
        return !creatorOnly || own ? grains.GetGrain<IScenarioGrain>(id) : null;
    }

    private static ScenarioCreator Creator(HttpContext http)
    {
        var access = http.Access();
        return new ScenarioCreator(access.Subject, http.User.FindFirstValue("name") ?? access.Subject, access.Role ?? "",
            [.. access.Districts.Order(StringComparer.Ordinal)], [.. access.Sectors.Select(SectorNames.Name).Order(StringComparer.Ordinal)],
            access.SeesEverything);
    }

    private static string CreatorKey(TwinAccess access) => $"{access.Role}|{access.Subject}";

    private static ProblemHttpResult TooMany(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many scenarios", detail: detail);
}
