using System.Globalization;
using System.Xml;
using IocTwin.Api.Access;
using IocTwin.Api.History;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.History;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>A time series of one entity (sensor readings, or segment / district KPIs), downsampled per step.</summary>
public sealed record EntityHistory(string Id, DateTimeOffset From, DateTimeOffset To, double StepSeconds, IReadOnlyList<HistoryBucket> Buckets);

/// <summary>Time series of what the twin received, and the city as it was at a past time.</summary>
public static class HistoryApi
{
    public const int MaxBuckets = 10_000;
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("History").RequireAuthorization(AccessExtensions.ReadPolicy);
        api.MapGet("/sensors/{id}/history", GetEntityHistory)
            .WithSummary("A sensor's readings downsampled to avg/min/max per step. from/to: ISO-8601 times; step: ISO-8601 duration (PT1M) or seconds.");
        api.MapGet("/segments/{id}/history", GetSegmentHistory)
            .WithSummary("A segment's speed, flow, occupancy, level of service (A=1 … F=6), water level and open (1/0) per step.");
        api.MapGet("/districts/{id}/history", GetDistrictHistory).WithSummary("A district's KPIs per step.");
        api.MapGet("/city/at", GetCityAt).WithSummary("The whole twin as it was at a time (IOC and viewers).");
        return app;
    }

    public static async Task<Results<Ok<EntityHistory>, ValidationProblem, ProblemHttpResult>> GetEntityHistory(
        string id, string? from, string? to, string? step, HttpContext http, IGrainFactory grains, ReadingHistory history,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (start, end, stepSize, errors) = ParseWindow(from, to, step, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await grains.GetGrain<ISensorGrain>(id).Get() is not { } sensor)
        {
            return Problems.NotFound("sensor", id);
        }
        if (!http.Access().CanSeeSensor(sensor.DistrictId, sensor.Sector))
        {
            return AccessExtensions.Forbidden($"sensor '{id}'");
        }
        var buckets = await history.QueryAsync(id, start, end, stepSize, cancellationToken);
        return TypedResults.Ok(new EntityHistory(id, start, end, stepSize.TotalSeconds, buckets));
    }

    public static async Task<Results<Ok<EntityHistory>, ValidationProblem, ProblemHttpResult>> GetSegmentHistory(
        string id, string? from, string? to, string? step, HttpContext http, IGrainFactory grains, ReadingHistory history,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (start, end, stepSize, errors) = ParseWindow(from, to, step, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await grains.GetGrain<IRoadSegmentGrain>(id).Get() is not { } segment)
        {
            return Problems.NotFound("segment", id);
        }
        if (!http.Access().CanSeeSegment(segment.Spec.DistrictId))
        {
            return AccessExtensions.Forbidden($"segment '{id}'");
        }
        var buckets = await history.QueryKpisAsync(id, start, end, stepSize, cancellationToken);
        return TypedResults.Ok(new EntityHistory(id, start, end, stepSize.TotalSeconds, buckets));
    }

    public static async Task<Results<Ok<EntityHistory>, ValidationProblem, ProblemHttpResult>> GetDistrictHistory(
        string id, string? from, string? to, string? step, HttpContext http, IGrainFactory grains, ReadingHistory history,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (start, end, stepSize, errors) = ParseWindow(from, to, step, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        if (await grains.GetGrain<IDistrictGrain>(id).Get() is null)
        {
            return Problems.NotFound("district", id);
        }
        if (!http.Access().CanSeeDistrict(id))
        {
            return AccessExtensions.Forbidden($"district '{id}'");
        }
        var buckets = await history.QueryKpisAsync(id, start, end, stepSize, cancellationToken);
        return TypedResults.Ok(new EntityHistory(id, start, end, stepSize.TotalSeconds, buckets));
    }

    /// <summary>from/to/step of a history query, defaulting to the last hour by the minute, with every problem named.</summary>
    private static (DateTimeOffset Start, DateTimeOffset End, TimeSpan Step, Dictionary<string, List<string>> Errors) ParseWindow(
        string? from, string? to, string? step, DateTimeOffset now)
    {
        var errors = new Dictionary<string, List<string>>();
        var end = ParseTime(to, "to", now, errors);
        var start = ParseTime(from, "from", end - TimeSpan.FromHours(1), errors);
        var stepSize = ParseStep(step, errors);
        if (errors.Count == 0)
        {
            if (start >= end) errors.AddError("from", "must be before 'to'");
            else if (end - start > MaxRange) errors.AddError("to", $"the range is at most {MaxRange.TotalDays:0} days");
            else if ((end - start) / stepSize > MaxBuckets) errors.AddError("step", $"gives more than {MaxBuckets} buckets; use a longer step");
        }
        return (start, end, stepSize, errors);
    }

    public static async Task<Results<Ok<CityAt>, ValidationProblem, ProblemHttpResult>> GetCityAt(
        string? time, HttpContext http, CityReplay replay, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!http.Access().SeesEverything)
        {
            return AccessExtensions.Forbidden("the whole city");
        }
        var errors = new Dictionary<string, List<string>>();
        if (time is null) errors.AddError("time", "is required (ISO-8601 with offset)");
        var at = ParseTime(time, "time", clock.GetUtcNow(), errors);
        if (at > clock.GetUtcNow()) errors.AddError("time", "is in the future");
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        return TypedResults.Ok(await replay.AtAsync(at, cancellationToken));
    }

    private static DateTimeOffset ParseTime(string? text, string field, DateTimeOffset fallback, Dictionary<string, List<string>> errors)
    {
        if (text is null)
        {
            return fallback;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return value.ToUniversalTime();
        }
        errors.AddError(field, "must be an ISO-8601 time, e.g. 2026-11-25T08:00:00+07:00");
        return fallback;
    }

    private static TimeSpan ParseStep(string? text, Dictionary<string, List<string>> errors)
    {
        if (text is null)
        {
            return TimeSpan.FromMinutes(1);
        }
        TimeSpan step;
        try
        {
            step = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds < 1e9
                ? TimeSpan.FromSeconds(seconds)
                : XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            errors.AddError("step", "must be an ISO-8601 duration (PT5M) or a number of seconds");
            return TimeSpan.FromMinutes(1);
        }
        if (step < TimeSpan.FromSeconds(1))
        {
            errors.AddError("step", "must be at least 1 second");
        }
        return step;
    }

}
