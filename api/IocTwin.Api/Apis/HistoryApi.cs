using System.Globalization;
using System.Xml;
using IocTwin.Api.Access;
using IocTwin.Api.History;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.History;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

public sealed record SensorHistory(string SensorId, DateTimeOffset From, DateTimeOffset To, double StepSeconds, IReadOnlyList<HistoryBucket> Buckets);

/// <summary>Time series of what the twin received, and the city as it was at a past time.</summary>
public static class HistoryApi
{
    public const int MaxBuckets = 10_000;
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("History").RequireAuthorization(AccessExtensions.ReadPolicy);
        api.MapGet("/sensors/{id}/history", GetSensorHistory)
            .WithSummary("A sensor's readings downsampled to avg/min/max per step. from/to: ISO-8601 times; step: ISO-8601 duration (PT1M) or seconds.");
        api.MapGet("/city/at", GetCityAt).WithSummary("The whole twin as it was at a time (IOC and viewers).");
        return app;
    }

    public static async Task<Results<Ok<SensorHistory>, ValidationProblem, ProblemHttpResult>> GetSensorHistory(
        string id, string? from, string? to, string? step, HttpContext http, IGrainFactory grains, ReadingHistory history,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, List<string>>();
        var now = time.GetUtcNow();
        var end = ParseTime(to, "to", now, errors);
        var start = ParseTime(from, "from", end - TimeSpan.FromHours(1), errors);
        var stepSize = ParseStep(step, errors);
        if (errors.Count == 0)
        {
            if (start >= end) errors.AddError("from", "must be before 'to'");
            else if (end - start > MaxRange) errors.AddError("to", $"the range is at most {MaxRange.TotalDays:0} days");
            else if ((end - start) / stepSize > MaxBuckets) errors.AddError("step", $"gives more than {MaxBuckets} buckets; use a longer step");
        }
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
        return TypedResults.Ok(new SensorHistory(id, start, end, stepSize.TotalSeconds, buckets));
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
