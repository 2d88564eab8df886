using System.Globalization;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.History;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IocTwin.Api.NgsiLd.Temporal;

/// <summary>
/// The NGSI-LD temporal API (/temporal/entities, /temporal/entities/{id}, /temporal/entityOperations/query), served
/// from the twin's history with the entity selection, scopes and errors of the live reads and the caps of the REST
/// history API (Twin:HistoryQueries).
/// </summary>
public static class NgsiLdTemporalApi
{
    /// <summary>Each entity of a page is a history query of its own: fewer per page than the live query allows.</summary>
    public const int MaxLimit = 100;

    public static RouteGroupBuilder MapNgsiLdTemporal(this RouteGroupBuilder api)
    {
        api.MapGet("/temporal/entities", QueryTemporal)
            .WithSummary("NGSI-LD temporal query: entities as in GET /entities, with timerel/timeAt/endTimeAt, lastN, attrs, options=temporalValues|aggregatedValues, aggrMethods, aggrPeriodDuration.");
        api.MapGet("/temporal/entities/{id}", RetrieveTemporal).WithSummary("One NGSI-LD entity's history by its URN (default: the longest window history queries allow).");
        api.MapPost("/temporal/entityOperations/query", QueryTemporalByPost)
            .WithSummary("The temporal query as a Query body (entities, attrs, q, geoQ, temporalQ); paging, options and aggregation in the URL.");
        return api;
    }

    public static Task<IResult> QueryTemporal(HttpContext http, NgsiEntitySource source, TemporalEntities temporal,
        IOptions<NgsiLdOptions> options, IOptions<HistoryQueryOptions> caps, TimeProvider time) =>
        NgsiLdApi.Guarded(http, call => RunQuery(http, call, http.Request.Query, source, temporal, options.Value, caps.Value, time));

    public static async Task<IResult> QueryTemporalByPost(HttpContext http, NgsiEntitySource source, TemporalEntities temporal,
        IOptions<NgsiLdOptions> options, IOptions<HistoryQueryOptions> caps, TimeProvider time)
    {
        var (body, problem) = await NgsiLdApi.ReadQueryBodyAsync(http);
        if (problem is not null)
        {
            return problem;
        }
        return await NgsiLdApi.Guarded(http, call => RunQuery(http, call, ToParameters(body!, http.Request.Query), source, temporal, options.Value, caps.Value, time), body);
    }

    public static Task<IResult> RetrieveTemporal(string id, HttpContext http, NgsiEntitySource source, TemporalEntities temporal,
        IOptions<HistoryQueryOptions> caps, TimeProvider time) =>
        NgsiLdApi.Guarded(http, async call =>
        {
            id = Uri.UnescapeDataString(id);
            if (!LdContext.IsAbsoluteIri(id))
            {
                throw new NgsiLdRequestException($"'{id}' is not an entity id (a URI).");
            }
            var parameters = http.Request.Query;
            var query = TemporalQuery.Parse(name => Get(parameters, name), time.GetUtcNow(), caps.Value.MaxRange, caps.Value.MaxBuckets, timeRequired: false);
            var attributes = Get(parameters, "attrs") is { } attrs ? EntityQuery.Names(attrs, "attrs", call.Context, ',') : null;
            var datasetIds = RenderOptions.DatasetIdsOf(Get(parameters, "datasetId"));
            if (await source.ReadOneAsync(http.Access(), id) is not { } entity)
            {
                return NgsiLdProblems.ResourceNotFound($"The twin holds no entity '{id}' that your token covers.");
            }
            var answer = await temporal.RenderAsync(entity, query, attributes, datasetIds, call.Context, caps.Value.MaxPoints, http.RequestAborted);
            return Answer(http, call, answer.Json, answer.Truncated, query);
        });

    private static async Task<IResult> RunQuery(HttpContext http, NgsiLdCall call, IQueryCollection parameters, NgsiEntitySource source,
        TemporalEntities temporal, NgsiLdOptions options, HistoryQueryOptions caps, TimeProvider time)
    {
        var query = TemporalQuery.Parse(name => Get(parameters, name), time.GetUtcNow(), caps.MaxRange, caps.MaxBuckets, timeRequired: true);
        // The selection is GET /entities' own; options and format here are the temporal representation's.
        var selection = EntityQuery.Parse(new QueryCollection(parameters.Where(p => p.Key is not ("options" or "format"))
            .ToDictionary(p => p.Key, p => p.Value)), call.Context, options.PatternTimeout);
        if (selection.Limit > MaxLimit)
        {
            throw new NgsiLdRequestException($"limit: at most {MaxLimit} entities per page of a temporal query.");
        }
        var entities = await source.ReadAsync(http.Access(), type => selection.Types is null || selection.Types.Contains(type));
        var matching = entities.Where(e => e.History is not null && selection.Matches(e)).OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (selection.Count)
        {
            http.Response.Headers[NgsiLdCall.CountHeader] = matching.Count.ToString(CultureInfo.InvariantCulture);
        }
        // One history query at a time: a page of a hundred entities cannot take the history database's connections from ingest.
        var page = new List<TemporalEntity>();
        foreach (var entity in matching.Skip(selection.Offset).Take(selection.Limit))
        {
            page.Add(await temporal.RenderAsync(entity, query, selection.Attributes, selection.Render.DatasetIds, call.Context, caps.MaxPoints, http.RequestAborted));
        }
        return Answer(http, call, new JsonArray([.. page.Select(p => (JsonNode)p.Json)]), page.Any(p => p.Truncated), query);
    }

    /// <summary>200, or 206 with the Content-Range of the window asked for when an attribute had more instances than one answer holds.</summary>
    private static IResult Answer(HttpContext http, NgsiLdCall call, JsonNode body, bool truncated, TemporalQuery query)
    {
        if (!truncated)
        {
            return call.Answer(http, body);
        }
        http.Response.Headers.ContentRange =
            $"date-time {NgsiLdFormat.Time(query.Start)}-{NgsiLdFormat.Time(query.End)}/{(query.LastN is { } n ? n.ToString(CultureInfo.InvariantCulture) : "*")}";
        return call.Answer(http, body, StatusCodes.Status206PartialContent);
    }

    /// <summary>The Query body with its temporalQ read into the parameters of GET /temporal/entities; aggregation stays in the URL.</summary>
    public static IQueryCollection ToParameters(JsonObject body, IQueryCollection url)
    {
        var parameters = QueryBody.ToParameters(body, url).ToDictionary(p => p.Key, p => p.Value);
        foreach (var name in new[] { "lastN", "aggrMethods", "aggrPeriodDuration", "timeproperty", "datasetId" })
        {
            if (url.TryGetValue(name, out var value)) parameters[name] = value;
        }
        if (body["temporalQ"] is { } given)
        {
            if (given is not JsonObject temporalQ)
            {
                throw new NgsiLdRequestException("temporalQ must be an object {timerel, timeAt, endTimeAt, lastN, timeproperty}.");
            }
            foreach (var name in new[] { "timerel", "timeAt", "endTimeAt", "lastN", "timeproperty" })
            {
                parameters[name] = temporalQ[name] switch
                {
                    null => parameters.GetValueOrDefault(name),
                    JsonValue value when value.TryGetValue<string>(out var text) => text,
                    JsonValue value when value.TryGetValue<long>(out var number) => number.ToString(CultureInfo.InvariantCulture),
                    _ => throw new NgsiLdRequestException($"temporalQ.{name} must be a string."),
                };
            }
        }
        return new QueryCollection(parameters.Where(p => !StringValues.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value));
    }

    private static string? Get(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;
}
