using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Ingest;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Entities;

/// <summary>
/// POST /entityOperations/create|upsert|update|merge|delete (GS CIM 009 clause 5.6.7–5.6.10, 5.6.20). Each entity is
/// written whole or not at all, on its own: observation entities of registered sensors as readings (one ingest for the
/// batch, stored in history before the answer), Vehicles of registered assets as their positions (likewise), other
/// entities as context entities. 201 with the created ids, 204,
/// or 207 with a BatchOperationResult {success, errors: [{entityId, error}]}.
/// </summary>
public static class NgsiLdBatchApi
{
    private enum BatchOperation
    {
        Create,
        Upsert,
        Update,
        Merge,
    }

    public static RouteGroupBuilder MapNgsiLdBatch(this RouteGroupBuilder writes)
    {
        var limit = NgsiLdIngestApi.MaxBatchEntities;
        writes.MapPost("/entityOperations/create", (HttpContext http, [AsParameters] Writers w) => Write(http, BatchOperation.Create, w))
            .WithSummary($"Creates entities (at most {limit}); observation entities of registered sensors are readings. 201 with the ids, or 207.");
        writes.MapPost("/entityOperations/upsert", (HttpContext http, [AsParameters] Writers w) => Write(http, BatchOperation.Upsert, w))
            .WithSummary($"Creates or replaces entities (options=update merges attributes instead), at most {limit}; readings for observation entities. 201, 204 or 207.");
        writes.MapPost("/entityOperations/update", (HttpContext http, [AsParameters] Writers w) => Write(http, BatchOperation.Update, w))
            .WithSummary($"Appends attributes to existing entities (options=noOverwrite keeps existing ones), at most {limit}; readings for observation entities. 204 or 207.");
        writes.MapPost("/entityOperations/merge", (HttpContext http, [AsParameters] Writers w) => Write(http, BatchOperation.Merge, w))
            .WithSummary($"Merges attributes into existing entities, at most {limit}; readings for observation entities. 204 or 207.");
        writes.MapPost("/entityOperations/delete", DeleteBatch).WithSummary($"Deletes context entities by id (at most {limit}). 204 or 207.");
        return writes;
    }

    /// <summary>What a batch writes with, resolved once per request.</summary>
    public sealed record Writers(ContextEntityStore Store, NgsiEntitySource Source, ObservationReadings Observations, IReadingIngest Ingest,
        VehiclePositions Vehicles, TimeProvider Time);

    private static async Task<IResult> Write(HttpContext http, BatchOperation operation, Writers writers)
    {
        var (batch, bad) = await ReadBatchAsync(http);
        if (batch is not { } entities)
        {
            return bad!;
        }
        if (entities.Any(e => e is not JsonObject))
        {
            return NgsiLdProblems.BadRequestData("The body must be a non-empty array of entities (JSON objects).");
        }
        var options = http.Request.Query["options"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var mode = operation switch
        {
            BatchOperation.Create => ContextWriteMode.Create,
            BatchOperation.Upsert => options.Contains("update") ? ContextWriteMode.UpsertUpdate : ContextWriteMode.UpsertReplace,
            BatchOperation.Update => options.Contains("noOverwrite") ? ContextWriteMode.AppendNoOverwrite : ContextWriteMode.Append,
            _ => ContextWriteMode.Merge,
        };
        // With application/ld+json each entity carries its own @context; otherwise the Link header's holds for all.
        var perEntity = NgsiLdCall.IsLdJson(http.Request);
        var (shared, sharedProblem) = perEntity ? (null, null) : await NgsiLdCall.BeginAsync(http);
        if (sharedProblem is not null)
        {
            return sharedProblem;
        }
        var now = writers.Time.GetUtcNow();
        var readings = new List<ParsedReading>();
        var positions = new List<(int Index, Assets.AssetReport Report)>();
        var contextWrites = new List<(int Index, ParsedEntity Entity)>();
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
            try
            {
                // Observation entities are read by the ingest's own rules; only context entities are parsed whole.
                var (given, type) = ContextEntityParser.IdAndType(entity, call!.Context);
                if (given is not { } id)
                {
                    throw new NgsiLdRequestException("id: an entity needs an id (a URI).");
                }
                var storedVehicle = VehiclePositions.IsVehicle(id) && await writers.Store.IsStoredVehicleAsync(id);
                if (VehiclePositions.IsVehicle(id) && !storedVehicle)
                {
                    // A registered asset's Vehicle, whatever the operation: its position report.
                    var (report, refused) = await writers.Vehicles.ReadAsync(id, entity, call.Context);
                    if (refused is not null) problems[i] = refused;
                    else positions.Add((i, report!));
                    continue;
                }
                if (!storedVehicle && ContextEntityStore.IsTwinOwned(id, type))
                {
                    var (entityReadings, refused) = await writers.Observations.ReadAsync(i, id, entity, call.Context, now);
                    if (refused is not null && operation == BatchOperation.Create && await writers.Source.ReadOneAsync(TwinAccess.Twin, id) is not null)
                    {
                        refused = NgsiLdProblems.Item(409, "AlreadyExists", $"'{id}' is one of the twin's own entities.");
                    }
                    if (refused is not null)
                    {
                        problems[i] = refused;
                    }
                    readings.AddRange(entityReadings);
                    continue;
                }
                var parsed = ContextEntityParser.Entity(entity, call.Context, now, requireIdAndType: false, allowDeletes: mode == ContextWriteMode.Merge);
                if (operation is BatchOperation.Create or BatchOperation.Upsert && parsed.Type is null)
                {
                    throw new NgsiLdRequestException("type: an entity needs a type.");
                }
                contextWrites.Add((i, parsed));
            }
            catch (NgsiLdRequestException ex)
            {
                problems[i] = NgsiLdProblems.Item(400, "BadRequestData", ex.Message);
            }
        }
        var (_, failed) = await NgsiLdIngestApi.IngestAsync(writers.Ingest, readings);
        if (failed is null)
        {
            return NgsiLdIngestApi.NotStored();
        }
        foreach (var (index, problem) in failed)
        {
            problems.TryAdd(index, problem);
        }
        if (!await writers.Vehicles.StoreAsync([.. positions.Select(p => p.Report)]))
        {
            foreach (var (index, _) in positions)
            {
                problems[index] = NgsiLdProblems.Item(503, "InternalError", "The position could not be stored; retry shortly.");
            }
        }
        var created = new HashSet<int>();
        var mustExist = operation is BatchOperation.Update or BatchOperation.Merge;
        await WriteContextEntitiesAsync(contextWrites, async (index, entity) =>
        {
            if (mustExist && !await writers.Store.ExistsAsync(entity.Id!))
            {
                return (ContextWriteStatus.NotFound, index);
            }
            return ((await writers.Store.WriteAsync(entity.Id!, mode, entity)).Status, index);
        }, created, problems);

        var ids = entities.Select(e => e!["id"]?.DeepClone()).ToList();
        if (problems.Count > 0)
        {
            return Result(ids, problems);
        }
        if (operation == BatchOperation.Create || created.Count > 0)
        {
            var createdIds = operation == BatchOperation.Create ? ids : [.. created.Order().Select(i => ids[i])];
            return TypedResults.Text(new JsonArray([.. createdIds]).ToJsonString(NgsiLdJson.Options), NgsiLdJson.Json, statusCode: StatusCodes.Status201Created);
        }
        return TypedResults.NoContent();
    }

    public static async Task<IResult> DeleteBatch(HttpContext http, ContextEntityStore store)
    {
        var (entities, bad) = await ReadBatchAsync(http);
        if (bad is not null)
        {
            return bad;
        }
        var (_, problem) = await NgsiLdCall.BeginAsync(http);
        if (problem is not null)
        {
            return problem;
        }
        var problems = new SortedDictionary<int, NgsiLdProblem>();
        var deletes = new List<(int Index, ParsedEntity Entity)>();
        for (var i = 0; i < entities!.Count; i++)
        {
            var id = entities[i] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (id is null || !LdContext.IsAbsoluteIri(id))
            {
                problems[i] = NgsiLdProblems.Item(400, "BadRequestData", "A delete batch is an array of entity ids (URIs).");
            }
            else if (await store.IsTwinOwnedAsync(id))
            {
                problems[i] = NgsiLdProblems.Item(422, "OperationNotSupported", $"'{id}' is one of the twin's own entities; they are not deleted through NGSI-LD.");
            }
            else
            {
                deletes.Add((i, new ParsedEntity(id, null, [])));
            }
        }
        await WriteContextEntitiesAsync(deletes, async (index, entity) =>
            (await store.ExistsAsync(entity.Id!) ? (await store.WriteAsync(entity.Id!, ContextWriteMode.Delete, entity)).Status : ContextWriteStatus.NotFound, index),
            [], problems);
        return problems.Count > 0 ? Result([.. entities.Select(e => e?.DeepClone())], problems) : TypedResults.NoContent();
    }

    /// <summary>
    /// The context entity writes of a batch, side by side, but those of one id in the order given; each one's failure
    /// becomes its problem, a creation is noted in <paramref name="created"/>.
    /// </summary>
    private static async Task WriteContextEntitiesAsync(List<(int Index, ParsedEntity Entity)> writes,
        Func<int, ParsedEntity, Task<(ContextWriteStatus Status, int Index)>> write, HashSet<int> created, SortedDictionary<int, NgsiLdProblem> problems)
    {
        var results = await Task.WhenAll(writes.GroupBy(w => w.Entity.Id).Select(async group =>
        {
            var statuses = new List<(ContextWriteStatus? Status, int Index)>();
            foreach (var (index, entity) in group)
            {
                try
                {
                    statuses.Add(await write(index, entity));
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException or System.Data.Common.DbException)
                {
                    statuses.Add((null, index));
                }
            }
            return statuses;
        }));
        var ids = writes.ToDictionary(w => w.Index, w => w.Entity.Id);
        foreach (var (status, index) in results.SelectMany(r => r))
        {
            var id = ids[index];
            switch (status)
            {
                case ContextWriteStatus.Created:
                    created.Add(index);
                    break;
                case ContextWriteStatus.NotFound:
                    problems[index] = NgsiLdProblems.Item(404, "ResourceNotFound", $"The twin holds no entity '{id}'.");
                    break;
                case ContextWriteStatus.AlreadyExists:
                    problems[index] = NgsiLdProblems.Item(409, "AlreadyExists", $"The entity '{id}' exists already.");
                    break;
                case ContextWriteStatus.TypeMismatch:
                    problems[index] = NgsiLdProblems.Item(400, "BadRequestData", $"The type given is not the type of '{id}'.");
                    break;
                case ContextWriteStatus.Full:
                    problems[index] = NgsiLdProblems.Item(422, "OperationNotSupported", NgsiLdEntityWritesApi.FullDetail(id!));
                    break;
                case ContextWriteStatus.TooManyInstances:
                    problems[index] = NgsiLdProblems.Item(400, "BadRequestData", NgsiLdEntityWritesApi.TooManyInstancesDetail(id!));
                    break;
                case null:
                    problems[index] = NgsiLdProblems.Item(503, "InternalError", $"'{id}' could not be stored; retry shortly.");
                    break;
            }
        }
    }

    private static IResult Result(List<JsonNode?> ids, SortedDictionary<int, NgsiLdProblem> problems)
    {
        var result = new JsonObject
        {
            ["success"] = new JsonArray([.. Enumerable.Range(0, ids.Count).Where(i => !problems.ContainsKey(i)).Select(i => ids[i]?.DeepClone())]),
            ["errors"] = new JsonArray([.. problems.Select(p => (JsonNode)new JsonObject
            {
                ["entityId"] = ids[p.Key]?.DeepClone(),
                ["error"] = JsonSerializer.SerializeToNode(p.Value, NgsiLdJson.Options),
            })]),
        };
        return TypedResults.Text(result.ToJsonString(NgsiLdJson.Options), NgsiLdJson.Json, statusCode: StatusCodes.Status207MultiStatus);
    }

    /// <summary>The body as a non-empty array of at most <see cref="NgsiLdIngestApi.MaxBatchEntities"/> items, or the problem.</summary>
    private static async Task<(JsonArray? Entities, IResult? Problem)> ReadBatchAsync(HttpContext http)
    {
        var (body, bad) = await NgsiLdIngestApi.ReadBodyAsync(http);
        if (bad is not null)
        {
            return (null, bad);
        }
        if (body is not JsonArray { Count: > 0 } entities)
        {
            return (null, NgsiLdProblems.BadRequestData("The body must be a non-empty array."));
        }
        if (entities.Count > NgsiLdIngestApi.MaxBatchEntities)
        {
            return (null, NgsiLdProblems.Problem(StatusCodes.Status413PayloadTooLarge, "BadRequestData", "Too many entities",
                $"A batch holds at most {NgsiLdIngestApi.MaxBatchEntities} entities; this one has {entities.Count}."));
        }
        return (entities, null);
    }
}
