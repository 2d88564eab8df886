using IocTwin.Api.Access;
using IocTwin.Api.History;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.History;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Apis;

/// <summary>
/// A time series of one entity (sensor readings, or segment / district KPIs), downsampled per step: one page of the
/// window asked for, from From to To; Next is the query for the rest (null on the last page).
/// </summary>
public sealed record EntityHistory(string Id, DateTimeOffset From, DateTimeOffset To, double StepSeconds, IReadOnlyList<HistoryBucket> Buckets, string? Next);

/// <summary>Time series of what the twin received, and the city as it was at a past time.</summary>
public static class HistoryApi
{
    private const string WindowHelp = "from/to: ISO-8601 times (default: the last hour); step: ISO-8601 duration (PT1M) or seconds; " +
        "limit: buckets per page (at most Twin:HistoryQueries:MaxPoints); a longer window answers its first page and 'next', the query for the rest.";

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder group)
    {
        var api = group.MapGroup("").WithTags("History");
        api.MapGet("/sensors/{id}/history", GetEntityHistory)
            .WithSummary("A sensor's readings downsampled to avg/min/max per step. " + WindowHelp);
        api.MapGet("/segments/{id}/history", GetSegmentHistory)
            .WithSummary("A segment's speed, flow, occupancy, level of service (A=1 … F=6), water level and open (1/0) per step. " + WindowHelp);
        api.MapGet("/areas/{id}/history", GetDistrictHistory).WithSummary("An area's KPIs per step. " + WindowHelp);
        api.MapGet("/districts/{id}/history", GetDistrictHistory)
            .WithSummary("A district's KPIs per step; the same as the area route, kept from when districts were the only level. " + WindowHelp);
        api.MapGet("/city/at", GetCityAt).WithSummary(
            "The twin as it was at a time: the whole city (IOC and viewers), or with areas=a,b those areas and every area below " +
            "them, for anyone who sees all of them (an area OC its own); every area at every level, with its KPIs as rolled up then.");
        return group;
    }

    public static async Task<Results<Ok<EntityHistory>, ValidationProblem, ProblemHttpResult>> GetEntityHistory(
        string id, [AsParameters] HistoryQuery query, HttpContext http, IGrainFactory grains, KnownEntities known,
        IReadingHistory history, IOptions<HistoryQueryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (window, errors) = HistoryWindow.Parse(query, time.GetUtcNow(), options.Value);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await known.RefuseUnknownAsync(EntityKind.Sensor, id) is { } unknown)
        {
            return unknown;
        }
        if (await grains.GetGrain<ISensorGrain>(id).Get() is not { } sensor)
        {
            return Problems.NotFound("sensor", id);
        }
        if (!http.Access().CanSeeSensor(sensor.DistrictId, sensor.Sector))
        {
            return AccessExtensions.Forbidden($"sensor '{id}'");
        }
        return Page(id, window, http, await history.QueryAsync(id, window.Start, window.PageEnd, window.Step, cancellationToken));
    }

    public static async Task<Results<Ok<EntityHistory>, ValidationProblem, ProblemHttpResult>> GetSegmentHistory(
        string id, [AsParameters] HistoryQuery query, HttpContext http, IGrainFactory grains, KnownEntities known,
        IReadingHistory history, IOptions<HistoryQueryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (window, errors) = HistoryWindow.Parse(query, time.GetUtcNow(), options.Value);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await known.RefuseUnknownAsync(EntityKind.Segment, id) is { } unknown)
        {
            return unknown;
        }
        if (await grains.GetGrain<IRoadSegmentGrain>(id).Get() is not { } segment)
        {
            return Problems.NotFound("segment", id);
        }
        if (!http.Access().CanSeeSegment(segment.DistrictId))
        {
            return AccessExtensions.Forbidden($"segment '{id}'");
        }
        return Page(id, window, http, await history.QueryKpisAsync(id, window.Start, window.PageEnd, window.Step, cancellationToken));
    }

    public static async Task<Results<Ok<EntityHistory>, ValidationProblem, ProblemHttpResult>> GetDistrictHistory(
        string id, [AsParameters] HistoryQuery query, HttpContext http, KnownEntities known,
        IReadingHistory history, IOptions<HistoryQueryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (window, errors) = HistoryWindow.Parse(query, time.GetUtcNow(), options.Value);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await known.RefuseUnknownAsync(EntityKind.District, id) is { } unknown)
        {
            return unknown;
        }
        if (!http.Access().CanSeeDistrict(id))
        {
            return AccessExtensions.Forbidden($"area '{id}'");
        }
        return Page(id, window, http, await history.QueryKpisAsync(id, window.Start, window.PageEnd, window.Step, cancellationToken));
    }

    private static Ok<EntityHistory> Page(string id, HistoryWindow window, HttpContext http, IReadOnlyList<HistoryBucket> buckets) =>
        TypedResults.Ok(new EntityHistory(id, window.Start, window.PageEnd, window.Step.TotalSeconds, buckets, window.NextLink(http.Request)));

    public static async Task<Results<Ok<CityAt>, ValidationProblem, ProblemHttpResult>> GetCityAt(
        string? time, string? areas, HttpContext http, CityReplay replay, KnownEntities known, TimeProvider clock, CancellationToken cancellationToken)
    {
        var access = http.Access();
        var errors = new Dictionary<string, List<string>>();
        List<string>? areaIds = areas is null ? null : [.. areas.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct()];
        if (areaIds is { Count: 0 }) errors.AddError("areas", "names no area: give area ids separated by commas, or leave it out for the whole city");
        if (areaIds is null && !access.SeesEverything)
        {
            return AccessExtensions.Forbidden("the whole city");
        }
        if (time is null) errors.AddError("time", "is required (ISO-8601 with offset)");
        var at = HistoryWindow.ParseTime(time, "time", clock.GetUtcNow(), clock.GetUtcNow(), errors);
        if (at > clock.GetUtcNow()) errors.AddError("time", "is in the future");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        foreach (var id in areaIds ?? [])
        {
            if (await known.RefuseUnknownAsync(EntityKind.District, id) is { } unknown)
            {
                return unknown;
            }
            if (!access.CanSeeAllOfDistrict(id))
            {
                return AccessExtensions.Forbidden($"area '{id}'");
            }
        }
        return TypedResults.Ok(await replay.AtAsync(at, cancellationToken, areaIds));
    }
}
