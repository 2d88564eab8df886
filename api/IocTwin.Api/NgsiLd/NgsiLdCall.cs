using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// What every NGSI-LD request settles first: the tenant, the answer's media type (Accept), and the active @context
/// from the Link header; and how the answer carries that context back (Link header, or @context in ld+json).
/// </summary>
public enum AnswerMediaType
{
    Json,
    LdJson,
    GeoJson,
}

public sealed record NgsiLdCall(LdContext Context, AnswerMediaType AnswerType, IReadOnlyList<string> ContextUrls)
{
    public const string TenantHeader = "NGSILD-Tenant";
    public const string CountHeader = "NGSILD-Results-Count";
    private const string LocalContextsPath = "/ngsi-ld/v1/jsonldContexts/";

    /// <summary>The call's settings, or the ETSI problem that ends it.</summary>
    /// <param name="body">The request's JSON body, when it has one: with application/ld+json its @context is the call's.</param>
    public static async Task<(NgsiLdCall? Call, IResult? Problem)> BeginAsync(HttpContext http, JsonObject? body = null)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<NgsiLdOptions>>().Value;
        var store = http.RequestServices.GetRequiredService<LdContextStore>();
        var tenant = http.Request.Headers[TenantHeader].ToString();
        if (tenant.Length > 0 && options.Tenant is null)
        {
            return (null, NgsiLdProblems.NoMultiTenantSupport($"The twin hosts a single tenant; send no {TenantHeader} header."));
        }
        if (tenant.Length > 0 && tenant != options.Tenant)
        {
            return (null, NgsiLdProblems.NonexistentTenant($"The twin hosts no tenant '{tenant}'."));
        }
        if (Negotiate(http.Request) is not { } answerType)
        {
            return (null, NgsiLdProblems.NotAcceptable("The twin answers application/json, application/ld+json or application/geo+json."));
        }
        var links = ContextLinks(http.Request);
        if (links.Count > 1)
        {
            return (null, NgsiLdProblems.BadRequestData("Send at most one JSON-LD context Link header."));
        }
        var urls = links.Select(url => LocalToCanonical(url, http.Request, store)).ToList();
        JsonNode? given = urls.Count == 0 ? null : JsonValue.Create(urls[0]);
        if (body is not null && IsLdJson(http.Request))
        {
            // JSON-LD carries its context inside; a Link header beside it is ambiguous (specification, 6.3.5).
            if (links.Count > 0)
            {
                return (null, NgsiLdProblems.BadRequestData("An application/ld+json body carries its @context; send no context Link header with it."));
            }
            given = body["@context"];
            if (given is null)
            {
                return (null, NgsiLdProblems.BadRequestData("An application/ld+json body needs an @context."));
            }
            urls = Strings(given).Select(url => LocalToCanonical(url, http.Request, store)).ToList();
            given = JsonNode.Parse(given.ToJsonString());
            body.Remove("@context");
        }
        try
        {
            var context = await store.ResolveAsync(given, http.RequestAborted);
            return (new NgsiLdCall(context, answerType, [.. urls, LdContextStore.CoreUrl]), null);
        }
        catch (LdContextUnavailableException ex)
        {
            return (null, NgsiLdProblems.LdContextNotAvailable(ex.Message));
        }
        catch (NgsiLdRequestException ex)
        {
            return (null, ex.ToResult());
        }
    }

    /// <summary>
    /// The body, with the context as the caller should read it back: in a Link header, or as @context of ld+json.
    /// Entities (<paramref name="entities"/>) asked for as application/geo+json become Features; other answers stay JSON.
    /// </summary>
    public IResult Answer(HttpContext http, JsonNode body, int status = StatusCodes.Status200OK, bool entities = false)
    {
        if (AnswerType == AnswerMediaType.LdJson)
        {
            var contextValue = ContextUrls.Count == 1 ? (JsonNode)JsonValue.Create(ContextUrls[0]) : new JsonArray([.. ContextUrls.Select(u => (JsonNode)JsonValue.Create(u))]);
            foreach (var item in body is JsonArray array ? array.OfType<JsonObject>() : body is JsonObject single ? [single] : [])
            {
                item["@context"] = contextValue.DeepClone();
            }
            return TypedResults.Text(body.ToJsonString(NgsiLdJson.Options), NgsiLdJson.LdJson, statusCode: status);
        }
        http.Response.Headers.Append(HeaderNames.Link, $"<{ContextUrls[0]}>; rel=\"{NgsiLdJson.ContextRel}\"; type=\"{NgsiLdJson.LdJson}\"");
        if (AnswerType == AnswerMediaType.GeoJson && entities)
        {
            var geometryProperty = Context.Compact(Context.Expand(http.Request.Query["geometryProperty"].ToString() is { Length: > 0 } named ? named : "location"));
            return TypedResults.Text(GeoJsonRepresentation.Convert(body, geometryProperty).ToJsonString(NgsiLdJson.Options), GeoJsonRepresentation.MediaType, statusCode: status);
        }
        return TypedResults.Text(body.ToJsonString(NgsiLdJson.Options), NgsiLdJson.Json, statusCode: status);
    }

    public static bool IsLdJson(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith(NgsiLdJson.LdJson, StringComparison.OrdinalIgnoreCase);

    /// <summary>The context URLs within an @context value (inline definitions are not URLs).</summary>
    private static IEnumerable<string> Strings(JsonNode context) => context switch
    {
        JsonValue value when value.TryGetValue<string>(out var url) => [url],
        JsonArray array => array.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var url) ? url : null).OfType<string>(),
        _ => [],
    };

    /// <summary>The media type to answer in; null when the caller accepts nothing the twin writes.</summary>
    private static AnswerMediaType? Negotiate(HttpRequest request)
    {
        var accepts = request.GetTypedHeaders().Accept;
        if (accepts.Count == 0)
        {
            return AnswerMediaType.Json;
        }
        foreach (var accept in accepts.OrderByDescending(a => a.Quality ?? 1))
        {
            if (accept.Quality == 0) continue;
            var type = accept.MediaType.Value;
            if (string.Equals(type, NgsiLdJson.LdJson, StringComparison.OrdinalIgnoreCase)) return AnswerMediaType.LdJson;
            if (string.Equals(type, GeoJsonRepresentation.MediaType, StringComparison.OrdinalIgnoreCase)) return AnswerMediaType.GeoJson;
            if (type is not null && (type.Equals(NgsiLdJson.Json, StringComparison.OrdinalIgnoreCase) || type is "*/*" or "application/*")) return AnswerMediaType.Json;
        }
        return null;
    }

    private static List<string> ContextLinks(HttpRequest request)
    {
        var urls = new List<string>();
        foreach (var header in request.Headers[HeaderNames.Link])
        {
            foreach (var link in (header ?? "").Split(','))
            {
                var open = link.IndexOf('<');
                var close = link.IndexOf('>');
                if (open < 0 || close < open || !link.Contains(NgsiLdJson.ContextRel, StringComparison.Ordinal))
                {
                    continue;
                }
                urls.Add(link[(open + 1)..close].Trim());
            }
        }
        return urls;
    }

    /// <summary>A context served by this twin (…/ngsi-ld/v1/jsonldContexts/{id} on its own host) stands for the URL it holds.</summary>
    private static string LocalToCanonical(string url, HttpRequest request, LdContextStore store) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && uri.AbsolutePath.StartsWith(LocalContextsPath, StringComparison.Ordinal)
            && store.ByLocalId(Uri.UnescapeDataString(uri.AbsolutePath[LocalContextsPath.Length..])) is { } stored
            ? stored.Url
            : url;
}
