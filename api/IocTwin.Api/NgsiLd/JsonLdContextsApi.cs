using System.Text.Json.Nodes;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// The specification's /jsonldContexts API, read side: the @contexts the twin holds (shipped, provisioned, fetched),
/// each served from here so clients on the city network resolve them without reaching the Internet. The documents are
/// vocabularies, not city data: served without a token.
/// </summary>
public static class JsonLdContextsApi
{
    public static RouteGroupBuilder MapJsonLdContexts(this RouteGroupBuilder api)
    {
        api.MapGet("/jsonldContexts", (HttpContext http, LdContextStore store, string? details, string? kind) =>
        {
            if (details is not (null or "true" or "false"))
            {
                return NgsiLdProblems.BadRequestData($"details: '{details}' is not true or false.");
            }
            if (kind is not (null or "Cached" or "Hosted" or "ImplicitlyCreated"))
            {
                return NgsiLdProblems.BadRequestData($"kind: '{kind}' is not Cached, Hosted or ImplicitlyCreated.");
            }
            // Every context the twin holds is a copy of one published elsewhere: "Cached" in the specification's words.
            var contexts = kind is null or "Cached" ? store.All.ToList() : [];
            JsonNode body = details == "true"
                ? new JsonArray([.. contexts.Select(c => (JsonNode)new JsonObject
                {
                    ["URL"] = c.Url,
                    ["localId"] = c.LocalId,
                    ["kind"] = "Cached",
                    ["origin"] = c.Origin.ToString(),
                    ["createdAt"] = NgsiLdFormat.Time(c.StoredAt),
                    ["servedAt"] = $"{http.Request.Scheme}://{http.Request.Host}{NgsiLdApi.Prefix}/jsonldContexts/{Uri.EscapeDataString(c.LocalId)}",
                })])
                : new JsonArray([.. contexts.Select(c => (JsonNode)JsonValue.Create(c.Url))]);
            return TypedResults.Text(body.ToJsonString(NgsiLdJson.Options), NgsiLdJson.Json);
        }).AllowAnonymous().WithSummary("The @context URLs the twin holds; details=true for where each comes from and where it is served.");

        api.MapGet("/jsonldContexts/{contextId}", (string contextId, LdContextStore store) =>
            store.ByLocalId(contextId) is { } context
                ? TypedResults.Text(context.Document, NgsiLdJson.LdJson)
                : NgsiLdProblems.ResourceNotFound($"The twin holds no @context '{contextId}'."))
            .AllowAnonymous().WithSummary("One @context document, by its local id or its URL.");
        return api;
    }
}
