using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Api.NgsiLd.Temporal;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// The twin speaking ETSI NGSI-LD on /ngsi-ld/v1: entities, types and attributes as Smart Data Models views of the
/// grains, their past from history (temporal), with the same tokens and scopes as the REST API, and the @contexts the twin holds.
/// </summary>
public static class NgsiLdApi
{
    public const string Prefix = "/ngsi-ld/v1";

    public static WebApplicationBuilder AddNgsiLd(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<NgsiLdOptions>(builder.Configuration.GetSection(NgsiLdOptions.SectionName));
        builder.Services.AddHttpClient(nameof(LdContextStore)).ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false });
        builder.Services.AddSingleton<LdContextStore>();
        builder.Services.AddSingleton<NgsiEntitySource>();
        builder.Services.AddSingleton<Entities.ContextEntityStore>();
        builder.Services.AddSingleton<Entities.ContextEntityChanges>();
        builder.Services.AddSingleton<ObservationReadings>();
        builder.Services.AddSingleton<TemporalEntities>();
        builder.AddNgsiLdSubscriptions();
        return builder;
    }

    public static IEndpointRouteBuilder MapNgsiLdApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix).WithTags("NGSI-LD").RequireAuthorization(AccessExtensions.ReadPolicy);
        api.MapGet("/entities", QueryEntities).WithSummary("NGSI-LD query of entities: type, id, idPattern, attrs, q, geo-query, limit/offset, count, options.");
        api.MapGet("/entities/{id}", RetrieveEntity).WithSummary("One NGSI-LD entity by its URN.");
        api.MapPost("/entityOperations/query", QueryEntitiesByPost)
            .WithSummary("The same query as GET /entities, as a Query body (entities, attrs, q, geoQ), @context in the body or the Link header.");
        api.MapNgsiLdTypes();
        api.MapNgsiLdTemporal();
        api.MapNgsiLdSubscriptions();
        app.MapNgsiLdIngest();
        app.MapGroup(Prefix).WithTags("NGSI-LD").MapJsonLdContexts();
        return app;
    }

    public static Task<IResult> QueryEntities(HttpContext http, NgsiEntitySource source, IOptions<NgsiLdOptions> options) =>
        Guarded(http, call => RunQuery(http, call, http.Request.Query, source, options.Value));

    private static async Task<IResult> RunQuery(HttpContext http, NgsiLdCall call, IQueryCollection parameters, NgsiEntitySource source, NgsiLdOptions options)
    {
        var query = EntityQuery.Parse(parameters, call.Context, options.PatternTimeout);
        var entities = await source.ReadAsync(http.Access(), type => query.Types is null || query.Types.Contains(type));
        var matching = entities.Where(query.Matches).OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (query.Count)
        {
            http.Response.Headers[NgsiLdCall.CountHeader] = matching.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var page = matching.Skip(query.Offset).Take(query.Limit).Select(e => (JsonNode)EntityRenderer.Render(e, query.Render, call.Context));
        return call.Answer(http, new JsonArray([.. page]), entities: true);
    }

    /// <summary>POST /entityOperations/query: the body's Query read into the parameters of GET /entities.</summary>
    public static async Task<IResult> QueryEntitiesByPost(HttpContext http, NgsiEntitySource source, IOptions<NgsiLdOptions> options)
    {
        var (body, problem) = await ReadQueryBodyAsync(http);
        if (problem is not null)
        {
            return problem;
        }
        return await Guarded(http, call => RunQuery(http, call, QueryBody.ToParameters(body!, http.Request.Query), source, options.Value), body);
    }

    /// <summary>The JSON body of a query by POST, or the problem refusing it (media type, not JSON, empty).</summary>
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadQueryBodyAsync(HttpContext http, string what = "the Query")
    {
        if (!http.Request.HasJsonContentType() && !NgsiLdCall.IsLdJson(http.Request))
        {
            return (null, NgsiLdProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "InvalidRequest", "Unsupported media type",
                $"Send {what} as application/json or application/ld+json."));
        }
        try
        {
            var body = await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(http.Request.Body, NgsiLdJson.Options, http.RequestAborted);
            return body is null ? (null, NgsiLdProblems.InvalidRequest("The body is empty.")) : (body, null);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (null, NgsiLdProblems.InvalidRequest($"The body is not JSON: {ex.Message}"));
        }
    }

    public static Task<IResult> RetrieveEntity(string id, HttpContext http, NgsiEntitySource source) =>
        Guarded(http, async call =>
        {
            // A route value keeps an escaped '/' escaped.
            id = Uri.UnescapeDataString(id);
            if (!LdContext.IsAbsoluteIri(id))
            {
                throw new NgsiLdRequestException($"'{id}' is not an entity id (a URI).");
            }
            string? Get(string name) => http.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;
            var attributes = Get("attrs") is { } attrs ? EntityQuery.Names(attrs, "attrs", call.Context, ',') : null;
            var render = RenderOptions.Parse(Get("options"), Get("format"), attributes, Get("datasetId"));
            return await source.ReadOneAsync(http.Access(), id) is { } entity
                ? call.Answer(http, EntityRenderer.Render(entity, render, call.Context), entities: true)
                : NgsiLdProblems.ResourceNotFound($"The twin holds no entity '{id}' that your token covers.");
        });

    /// <summary>Settles the call (tenant, Accept, @context) and turns a bad parameter into the ETSI problem naming it.</summary>
    public static async Task<IResult> Guarded(HttpContext http, Func<NgsiLdCall, Task<IResult>> handle, JsonObject? body = null)
    {
        var (call, problem) = await NgsiLdCall.BeginAsync(http, body);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            return await handle(call!);
        }
        catch (NgsiLdRequestException ex)
        {
            return ex.ToResult();
        }
        catch (RegexMatchTimeoutException)
        {
            return NgsiLdProblems.BadRequestData("A pattern took too long to match; simplify idPattern or the ~= pattern.");
        }
    }
}
