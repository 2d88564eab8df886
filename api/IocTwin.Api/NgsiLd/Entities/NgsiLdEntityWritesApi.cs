using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Ingest;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Entities;

/// <summary>
/// Writes of one NGSI-LD entity (GS CIM 009 clause 5.6): create, replace, merge, delete, and its attributes' append,
/// update, partial update and delete. Context entities change as the specification says; the twin's own entities
/// take readings only (an observation entity of a registered sensor, by create, merge or an attribute write) and
/// positions (a registered asset's Vehicle, likewise), and are
/// otherwise refused with OperationNotSupported, their topology being the twin's, not NGSI-LD's.
/// </summary>
public static class NgsiLdEntityWritesApi
{
    public static RouteGroupBuilder MapNgsiLdEntityWrites(this RouteGroupBuilder writes)
    {
        writes.MapPost("/entities", Create).WithSummary("Creates a context entity (201, Location); an observation entity of a registered sensor is its reading.");
        writes.MapPut("/entities/{id}", Replace).WithSummary("Replaces a context entity's attributes.");
        writes.MapPatch("/entities/{id}", Merge).WithSummary("Merges attributes into an entity (\"urn:ngsi-ld:null\" deletes one); for an observation entity, a reading.");
        writes.MapDelete("/entities/{id}", Delete).WithSummary("Deletes a context entity.");
        writes.MapPost("/entities/{id}/attrs", Append).WithSummary("Appends attributes (options=noOverwrite keeps existing ones); 204, or 207 with notUpdated.");
        writes.MapPatch("/entities/{id}/attrs", Update).WithSummary("Updates existing attributes; 204, or 207 with notUpdated.");
        writes.MapPatch("/entities/{id}/attrs/{attr}", UpdateAttribute).WithSummary("Partial update of one attribute.");
        writes.MapDelete("/entities/{id}/attrs/{attr}", DeleteAttribute).WithSummary("Deletes one attribute of a context entity.");
        return writes;
    }

    public static Task<IResult> Create(HttpContext http, ContextEntityStore store, NgsiEntitySource source, ObservationReadings observations,
        IReadingIngest ingest, VehiclePositions vehicles, TimeProvider time) =>
        WithBody(http, async (call, body) =>
        {
            var now = time.GetUtcNow();
            var (given, type) = ContextEntityParser.IdAndType(body, call.Context);
            if (given is { } twinId && ContextEntityStore.IsTwinOwned(twinId, type))
            {
                if (await store.IsStoredVehicleAsync(twinId))
                {
                    return NgsiLdProblems.AlreadyExists($"The entity '{twinId}' exists already.");
                }
                if (NgsiLdFormat.ParseUrn(twinId) is var (shortType, _) &&
                    (SmartDataModels.ObservationTypes.Contains(shortType) || shortType == VehicleEntities.ShortType))
                {
                    return await NgsiLdIngestApi.StoreReadingAsync(twinId, body, call.Context, observations, ingest, now, vehicles) ?? CreatedAt(twinId);
                }
                return await source.ReadOneAsync(TwinAccess.Twin, twinId) is not null
                    ? NgsiLdProblems.AlreadyExists($"'{twinId}' is one of the twin's own entities.")
                    : TwinOwnedRefused(twinId);
            }
            var parsed = ContextEntityParser.Entity(body, call.Context, now, requireIdAndType: true);
            var outcome = await store.WriteAsync(parsed.Id!, ContextWriteMode.Create, parsed);
            return outcome.Status == ContextWriteStatus.Created ? CreatedAt(parsed.Id!) : Answer(parsed.Id!, outcome, call);
        });

    public static Task<IResult> Replace(string id, HttpContext http, ContextEntityStore store, TimeProvider time) =>
        WithBody(http, async (call, body) =>
        {
            id = EntityId(id);
            if (await store.IsTwinOwnedAsync(id))
            {
                return TwinOwnedRefused(id);
            }
            var parsed = Checked(id, ContextEntityParser.Entity(body, call.Context, time.GetUtcNow(), requireIdAndType: false));
            return await store.ExistsAsync(id)
                ? Answer(id, await store.WriteAsync(id, ContextWriteMode.Replace, parsed), call)
                : NotFound(id);
        });

    public static Task<IResult> Merge(string id, HttpContext http, ContextEntityStore store, ObservationReadings observations, IReadingIngest ingest,
        VehiclePositions vehicles, TimeProvider time) =>
        WithBody(http, (call, body) => WriteAttributes(id, body, call, ContextWriteMode.Merge, store, observations, ingest, vehicles, time));

    public static Task<IResult> Append(string id, HttpContext http, ContextEntityStore store, ObservationReadings observations, IReadingIngest ingest,
        VehiclePositions vehicles, TimeProvider time) =>
        WithBody(http, (call, body) => WriteAttributes(id, body, call,
            Options(http).Contains("noOverwrite") ? ContextWriteMode.AppendNoOverwrite : ContextWriteMode.Append, store, observations, ingest, vehicles, time));

    public static Task<IResult> Update(string id, HttpContext http, ContextEntityStore store, ObservationReadings observations, IReadingIngest ingest,
        VehiclePositions vehicles, TimeProvider time) =>
        WithBody(http, (call, body) => WriteAttributes(id, body, call, ContextWriteMode.Update, store, observations, ingest, vehicles, time));

    public static Task<IResult> UpdateAttribute(string id, string attr, HttpContext http, ContextEntityStore store, ObservationReadings observations,
        IReadingIngest ingest, VehiclePositions vehicles, TimeProvider time) =>
        WithBody(http, async (call, body) =>
        {
            id = EntityId(id);
            attr = Uri.UnescapeDataString(attr);
            var now = time.GetUtcNow();
            if (await store.IsTwinOwnedAsync(id))
            {
                return await NgsiLdIngestApi.StoreReadingAsync(id, new JsonObject { [attr] = body.DeepClone() }, call.Context, observations, ingest, now,
                    vehicles) ?? TypedResults.NoContent();
            }
            var name = ContextEntityParser.Name(attr, call.Context);
            var fragment = ContextEntityParser.Fragment(attr, body, call.Context, now);
            if (!await store.ExistsAsync(id))
            {
                return NotFound(id);
            }
            var outcome = await store.WriteAsync(id, ContextWriteMode.UpdateAttribute, new ParsedEntity(id, null, new() { [name] = fragment }), name);
            return outcome.Status == ContextWriteStatus.NotFound ? NoAttribute(id, attr) : Answer(id, outcome, call);
        });

    public static Task<IResult> Delete(string id, HttpContext http, ContextEntityStore store) =>
        NgsiLdApi.Guarded(http, async call =>
        {
            id = EntityId(id);
            if (await store.IsTwinOwnedAsync(id))
            {
                return TwinOwnedRefused(id);
            }
            return await store.ExistsAsync(id)
                ? Answer(id, await store.WriteAsync(id, ContextWriteMode.Delete, new ParsedEntity(id, null, [])), call)
                : NotFound(id);
        });

    public static Task<IResult> DeleteAttribute(string id, string attr, HttpContext http, ContextEntityStore store) =>
        NgsiLdApi.Guarded(http, async call =>
        {
            id = EntityId(id);
            attr = Uri.UnescapeDataString(attr);
            if (await store.IsTwinOwnedAsync(id))
            {
                return TwinOwnedRefused(id);
            }
            var name = ContextEntityParser.Name(attr, call.Context);
            var (datasetId, all) = InstancesToDelete(http);
            if (!await store.ExistsAsync(id))
            {
                return NotFound(id);
            }
            var outcome = await store.WriteAsync(id, ContextWriteMode.DeleteAttribute, new ParsedEntity(id, null, []), name, datasetId, all);
            return outcome.Status == ContextWriteStatus.NotFound ? NoAttribute(id, attr) : Answer(id, outcome, call);
        });

    /// <summary>Merge, append or update of attributes: a reading for an observation entity, else the context entity's write.</summary>
    private static async Task<IResult> WriteAttributes(string id, JsonObject body, NgsiLdCall call, ContextWriteMode mode, ContextEntityStore store,
        ObservationReadings observations, IReadingIngest ingest, VehiclePositions vehicles, TimeProvider time)
    {
        id = EntityId(id);
        var now = time.GetUtcNow();
        if (await store.IsTwinOwnedAsync(id))
        {
            return await NgsiLdIngestApi.StoreReadingAsync(id, body, call.Context, observations, ingest, now, vehicles) ?? TypedResults.NoContent();
        }
        var parsed = Checked(id, ContextEntityParser.Entity(body, call.Context, now, requireIdAndType: false, allowDeletes: mode == ContextWriteMode.Merge));
        return await store.ExistsAsync(id) ? Answer(id, await store.WriteAsync(id, mode, parsed), call, parsed.Attributes.Keys) : NotFound(id);
    }

    /// <summary>The write's answer: 204, or 207 with the attributes written and those left alone, or the problem of its status.</summary>
    /// <param name="given">The attributes the write gave (expanded names), for the 207's "updated".</param>
    public static IResult Answer(string id, ContextWriteOutcome outcome, NgsiLdCall call, IEnumerable<string>? given = null) => outcome.Status switch
    {
        ContextWriteStatus.NotFound => NotFound(id),
        ContextWriteStatus.AlreadyExists => NgsiLdProblems.AlreadyExists($"The entity '{id}' exists already."),
        ContextWriteStatus.TypeMismatch => NgsiLdProblems.BadRequestData($"The type given is not the type of '{id}'; an entity's type does not change."),
        ContextWriteStatus.Full => Full(id),
        ContextWriteStatus.TooManyInstances => NgsiLdProblems.BadRequestData(TooManyInstancesDetail(id)),
        _ when outcome.NotUpdated.Count > 0 => TypedResults.Text(new JsonObject
        {
            ["updated"] = new JsonArray([.. (given ?? []).Where(n => !outcome.NotUpdated.ContainsKey(n)).Select(n => (JsonNode)JsonValue.Create(call.Context.Compact(n)))]),
            ["notUpdated"] = new JsonArray([.. outcome.NotUpdated.Select(n => (JsonNode)new JsonObject
            {
                ["attributeName"] = call.Context.Compact(n.Key),
                ["reason"] = n.Value,
            })]),
        }.ToJsonString(NgsiLdJson.Options), NgsiLdJson.Json, statusCode: StatusCodes.Status207MultiStatus),
        _ => TypedResults.NoContent(),
    };

    public static IResult TwinOwnedRefused(string id) =>
        NgsiLdProblems.OperationNotSupported($"'{id}' is of one of the twin's own types: its entities come from the twin's topology and readings; only an observation entity's values can be written.");

    /// <summary>
    /// The cap on context entities is reached. The specification has no type for a full store; OperationNotSupported
    /// (422) is the one that says the operation cannot be done here, as for the cap on subscriptions.
    /// </summary>
    public static IResult Full(string id) => NgsiLdProblems.OperationNotSupported(FullDetail(id));

    public static string FullDetail(string id) =>
        $"'{id}' was not created: the twin holds as many context entities as it may (NgsiLd:MaxContextEntities); delete some first.";

    public static string TooManyInstancesDetail(string id) =>
        $"'{id}' was not changed: an attribute would hold more than {ContextEntityWrites.MaxInstances} instances (datasetIds); delete some first.";

    public static IResult NotFound(string id) => NgsiLdProblems.ResourceNotFound($"The twin holds no entity '{id}'.");

    private static IResult NoAttribute(string id, string attr) => NgsiLdProblems.ResourceNotFound($"The entity '{id}' has no attribute '{attr}'.");

    private static IResult CreatedAt(string id) => TypedResults.Created($"{NgsiLdApi.Prefix}/entities/{Uri.EscapeDataString(id)}");

    private static ParsedEntity Checked(string id, ParsedEntity parsed) =>
        parsed.Id is null || parsed.Id == id ? parsed : throw new NgsiLdRequestException($"id: the body's id '{parsed.Id}' is not the path's '{id}'.");

    private static string EntityId(string routeValue)
    {
        // A route value keeps an escaped '/' escaped.
        var id = Uri.UnescapeDataString(routeValue);
        return LdContext.IsAbsoluteIri(id) ? id : throw new NgsiLdRequestException($"'{id}' is not an entity id (a URI).");
    }

    /// <summary>Delete Entity Attribute's datasetId (one instance) or deleteAll=true (every instance); neither: the default instance.</summary>
    private static (string? DatasetId, bool All) InstancesToDelete(HttpContext http)
    {
        var datasetId = http.Request.Query["datasetId"].ToString() is { Length: > 0 } given ? given : null;
        if (datasetId is not null && !LdContext.IsAbsoluteIri(datasetId))
        {
            throw new NgsiLdRequestException($"datasetId: '{datasetId}' is not a URI.");
        }
        var all = http.Request.Query["deleteAll"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            var other => throw new NgsiLdRequestException($"deleteAll: '{other}' is not true or false."),
        };
        return all && datasetId is not null
            ? throw new NgsiLdRequestException("deleteAll: give either datasetId or deleteAll=true, not both.")
            : (datasetId, all);
    }

    private static string[] Options(HttpContext http) =>
        http.Request.Query["options"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The body as a JSON object, the call settled with its @context, and a bad request turned into its ETSI problem.</summary>
    private static async Task<IResult> WithBody(HttpContext http, Func<NgsiLdCall, JsonObject, Task<IResult>> handle)
    {
        var (body, bad) = await NgsiLdIngestApi.ReadBodyAsync(http);
        if (bad is not null)
        {
            return bad;
        }
        if (body is not JsonObject entity)
        {
            return NgsiLdProblems.BadRequestData("The body must be a JSON object.");
        }
        return await NgsiLdApi.Guarded(http, call => handle(call, entity), entity);
    }
}
