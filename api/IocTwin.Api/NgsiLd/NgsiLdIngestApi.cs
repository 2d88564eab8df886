using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Ingest;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// Readings written as NGSI-LD: PATCH/POST of an observation entity's attributes and batch upsert/update of observation
/// entities, each the reading of its sensor, handed to the same ingest as POST /api/v1/readings (stored in history
/// before the answer, rolled up, pushed to screens). Writers hold the ingest key or an ioc token.
/// </summary>
public static class NgsiLdIngestApi
{
    /// <summary>Entities per batch request; more are refused whole (413).</summary>
    public const int MaxBatchEntities = 1_000;

    public static IEndpointRouteBuilder MapNgsiLdIngest(this IEndpointRouteBuilder app)
    {
        var writes = app.MapGroup(NgsiLdApi.Prefix).WithTags("NGSI-LD").AddEndpointFilter(RequireWriter);
        writes.MapPatch("/entities/{id}/attrs", WriteAttributes).WithSummary("A reading of a registered sensor, as its observation entity's attributes.");
        writes.MapPost("/entities/{id}/attrs", WriteAttributes).WithSummary("A reading of a registered sensor, as its observation entity's attributes.");
        writes.MapPost("/entityOperations/upsert", WriteBatch).WithSummary($"Readings as observation entities (at most {MaxBatchEntities}); 204, or 207 with a BatchOperationResult.");
        writes.MapPost("/entityOperations/update", WriteBatch).WithSummary($"Readings as observation entities (at most {MaxBatchEntities}); 204, or 207 with a BatchOperationResult.");
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

    public static async Task<IResult> WriteAttributes(string id, HttpContext http, ObservationReadings observations, IReadingIngest ingest, TimeProvider time)
    {
        var (body, bad) = await ReadBodyAsync(http);
        if (bad is not null)
        {
            return bad;
        }
        if (body is not JsonObject attributes)
        {
            return NgsiLdProblems.BadRequestData("The body must be a JSON object of attributes.");
        }
        return await NgsiLdApi.Guarded(http, async call =>
        {
            var (readings, problem) = await observations.ReadAsync(0, Uri.UnescapeDataString(id), attributes, call.Context, time.GetUtcNow());
            if (problem is not null)
            {
                return problem.ToResult();
            }
            var (_, failed) = await IngestAsync(ingest, readings);
            return failed?.Count > 0 ? failed[0].ToResult() : failed is null ? NotStored() : TypedResults.NoContent();
        }, attributes);
    }

    public static async Task<IResult> WriteBatch(HttpContext http, ObservationReadings observations, IReadingIngest ingest, TimeProvider time)
    {
        var (body, bad) = await ReadBodyAsync(http);
        if (bad is not null)
        {
            return bad;
        }
        if (body is not JsonArray { Count: > 0 } entities || entities.Any(e => e is not JsonObject))
        {
            return NgsiLdProblems.BadRequestData("The body must be a non-empty array of entities (JSON objects).");
        }
        if (entities.Count > MaxBatchEntities)
        {
            return NgsiLdProblems.Problem(StatusCodes.Status413PayloadTooLarge, "BadRequestData", "Too many entities",
                $"A batch holds at most {MaxBatchEntities} entities; this one has {entities.Count}.");
        }
        // With application/ld+json each entity carries its own @context; otherwise the Link header's holds for all.
        var perEntity = NgsiLdCall.IsLdJson(http.Request);
        var (shared, sharedProblem) = perEntity ? (null, null) : await NgsiLdCall.BeginAsync(http);
        if (sharedProblem is not null)
        {
            return sharedProblem;
        }
        var now = time.GetUtcNow();
        var readings = new List<ParsedReading>(entities.Count);
        var problems = new SortedDictionary<int, NgsiLdProblem>();
        for (var i = 0; i < entities.Count; i++)
        {
            var entity = (JsonObject)entities[i]!;
            var call = shared;
            if (perEntity)
            {
                (call, var problem) = await NgsiLdCall.BeginAsync(http, entity);
                if (problem is not null)
                {
                    return problem;
                }
            }
            var id = entity["id"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            var (entityReadings, refused) = await observations.ReadAsync(i, id, entity, call!.Context, now);
            if (refused is not null)
            {
                problems[i] = refused;
            }
            readings.AddRange(entityReadings);
        }
        var (_, failed) = await IngestAsync(ingest, readings);
        if (failed is null)
        {
            return NotStored();
        }
        foreach (var (index, problem) in failed)
        {
            problems.TryAdd(index, problem);
        }
        if (problems.Count == 0)
        {
            return TypedResults.NoContent();
        }
        var result = new JsonObject
        {
            ["success"] = new JsonArray([.. Enumerable.Range(0, entities.Count).Where(i => !problems.ContainsKey(i)).Select(i => (JsonNode?)entities[i]!["id"]!.DeepClone())]),
            ["errors"] = new JsonArray([.. problems.Select(p => (JsonNode)new JsonObject
            {
                ["entityId"] = entities[p.Key]!["id"]?.DeepClone(),
                ["error"] = JsonSerializer.SerializeToNode(p.Value, NgsiLdJson.Options),
            })]),
        };
        return TypedResults.Text(result.ToJsonString(NgsiLdJson.Options), NgsiLdJson.Json, statusCode: StatusCodes.Status207MultiStatus);
    }

    /// <summary>
    /// Stores and applies the readings; the problems of entities whose sensor the ingest did not take (by index), or
    /// null when nothing could be stored.
    /// </summary>
    private static async Task<(int Accepted, Dictionary<int, NgsiLdProblem>? Failed)> IngestAsync(IReadingIngest ingest, List<ParsedReading> readings)
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
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OrleansException)
        {
            return (0, null);
        }
    }

    private static IResult NotStored() =>
        NgsiLdProblems.Problem(StatusCodes.Status503ServiceUnavailable, "InternalError", "Readings not stored",
            "The twin could not store these readings; none was accepted. Retry shortly.");

    /// <summary>The JSON body, or the problem with it (media type, syntax).</summary>
    private static async Task<(JsonNode? Body, IResult? Problem)> ReadBodyAsync(HttpContext http)
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
