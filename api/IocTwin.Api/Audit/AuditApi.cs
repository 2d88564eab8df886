using System.Globalization;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Audit;

/// <summary>The audit log, for the IOC: who acknowledged and resolved alerts, changed topology or rules, and ran scenarios.</summary>
public static class AuditApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    private const int MaxFilterLength = 200;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder group)
    {
        group.MapGet("/audit", Query).WithTags("Audit").RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Audit entries, newest first; filter by from/to (ISO-8601), actor, action; at most limit (1 to 1,000, default 100).");
        return group;
    }

    public static async Task<Results<Ok<List<AuditEntry>>, ValidationProblem>> Query(
        string? from, string? to, string? actor, string? action, string? limit, AuditStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, List<string>>();
        var fromTime = Time("from", from, errors);
        var toTime = Time("to", to, errors);
        if (fromTime > toTime) errors.AddError("to", "must be after from");
        if (actor is { Length: 0 or > MaxFilterLength }) errors.AddError("actor", $"must be 1 to {MaxFilterLength} characters");
        if (action is { Length: 0 or > MaxFilterLength }) errors.AddError("action", $"must be 1 to {MaxFilterLength} characters");
        var count = DefaultLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxLimit))
        {
            errors.AddError("limit", $"must be a whole number, 1 to {MaxLimit}");
        }
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        return TypedResults.Ok(await store.QueryAsync(new AuditQuery(fromTime, toTime, actor, action, count), cancellationToken));
    }

    private static DateTimeOffset? Time(string field, string? text, Dictionary<string, List<string>> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        errors.AddError(field, "must be an ISO-8601 time");
        return null;
    }
}
