using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Ingest;
using IocTwin.Api.NgsiLd.Entities;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// NGSI-LD writes: entities and their attributes (<see cref="NgsiLdEntityWritesApi"/>) and batch operations
/// (<see cref="NgsiLdBatchApi"/>). An observation entity of a registered sensor written is the reading of its sensor,
/// handed to the same ingest as POST /api/v1/readings (stored in history before the answer, rolled up, pushed to
/// screens); a registered asset's Vehicle is its position report (<see cref="VehiclePositions"/>); entities of other
/// types are context entities. Writers hold the ingest key or an ioc token.
/// </summary>
public static class NgsiLdIngestApi
{
    /// <summary>Entities per batch request; more are refused whole (413).</summary>
    public const int MaxBatchEntities = 1_000;

    public static IEndpointRouteBuilder MapNgsiLdIngest(this IEndpointRouteBuilder app)
    {
        var writes = app.MapGroup(NgsiLdApi.Prefix).WithTags("NGSI-LD").AddEndpointFilter(RequireWriter);
        writes.MapNgsiLdEntityWrites();
        writes.MapNgsiLdBatch();
        return app;
    }

    /// <summary>The ingest key, as POST /api/v1/readings, or a token of the ioc role.</summary>
    private static async ValueTask<object?> RequireWriter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (AccessExtensions.HasIngestApiKey(http) || http.Access().CanOperate)
        {
            return await next(context);
        }
        return http.User.Identity?.IsAuthenticated == true
            ? AccessExtensions.Forbidden("NGSI-LD writes; they need the ingest key or the ioc role")
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing credentials",
                detail: $"Send the ingest key in the {AccessExtensions.ApiKeyHeader} header or an ioc token.");
    }

    /// <summary>
    /// The reading an observation entity's attributes carry (or the position a Vehicle's carry), stored and applied; null
    /// when it was, else the problem (an entity that is not the observation entity of a registered sensor nor the
    /// Vehicle of a registered asset, a bad value, history unavailable).
    /// </summary>
    public static async Task<IResult?> StoreReadingAsync(string id, JsonObject attributes, LdContext context, ObservationReadings observations,
        IReadingIngest ingest, DateTimeOffset now, VehiclePositions vehicles)
    {
        if (VehiclePositions.IsVehicle(id))
        {
            // A registered asset's Vehicle: the write is its position report.
            return await vehicles.WriteAsync(id, attributes, context);
        }
        var (readings, problem) = await observations.ReadAsync(0, id, attributes, context, now);
        if (problem is not null)
        {
            return problem.ToResult();
        }
        var (_, failed) = await IngestAsync(ingest, readings);
        return failed?.Count > 0 ? failed[0].ToResult() : failed is null ? NotStored() : null;
    }

    /// <summary>
    /// Stores and applies the readings; the problems of entities whose sensor the ingest did not take (by index), or
    /// null when nothing could be stored.
    /// </summary>
    public static async Task<(int Accepted, Dictionary<int, NgsiLdProblem>? Failed)> IngestAsync(IReadingIngest ingest, List<ParsedReading> readings)
    {
        if (readings.Count == 0)
        {
            return (0, []);
        }
        try
        {
            var result = await ingest.IngestAsync(readings, []);
            var failed = new Dictionary<int, NgsiLdProblem>();
            foreach (var rejection in result.Rejected)
            {
                failed.TryAdd(rejection.Index, NgsiLdProblems.Item(404, "ResourceNotFound", $"{rejection.Field}: {rejection.Error}"));
            }
            return (result.Accepted, failed);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OrleansException
                                       or IngestSaturatedException)
        {
            // Saturated (the ingest budget stayed full) is told the same way: nothing stored, retry shortly.
            return (0, null);
        }
    }

    public static IResult NotStored() =>
        NgsiLdProblems.Problem(StatusCodes.Status503ServiceUnavailable, "InternalError", "Readings not stored",
            "The twin could not store these readings; none was accepted. Retry shortly.");

    /// <summary>The JSON body, or the problem with it (media type, syntax).</summary>
    public static async Task<(JsonNode? Body, IResult? Problem)> ReadBodyAsync(HttpContext http)
    {
        if (!http.Request.HasJsonContentType() && !NgsiLdCall.IsLdJson(http.Request))
        {
            return (null, NgsiLdProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "InvalidRequest", "Unsupported media type",
                "Send application/json or application/ld+json."));
        }
        try
        {
            var body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return body is null ? (null, NgsiLdProblems.InvalidRequest("The body is empty.")) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, NgsiLdProblems.InvalidRequest($"The body is not JSON: {ex.Message}"));
        }
    }
}
