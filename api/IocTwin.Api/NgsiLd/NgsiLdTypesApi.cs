using System.Text.Json.Nodes;
using IocTwin.Api.Access;

namespace IocTwin.Api.NgsiLd;

/// <summary>GET /types and /attributes: what types and attributes the entities a caller may see have.</summary>
public static class NgsiLdTypesApi
{
    public static RouteGroupBuilder MapNgsiLdTypes(this RouteGroupBuilder api)
    {
        api.MapGet("/types", (HttpContext http, NgsiEntitySource source) => NgsiLdApi.Guarded(http, async call =>
        {
            var entities = await source.ReadAsync(http.Access(), _ => true);
            var byType = entities.GroupBy(e => e.Type).OrderBy(g => call.Context.Compact(g.Key), StringComparer.Ordinal).ToList();
            JsonNode body = Details(http)
                ? new JsonArray([.. byType.Select(g => (JsonNode)new JsonObject
                {
                    ["id"] = g.Key,
                    ["type"] = "EntityType",
                    ["typeName"] = call.Context.Compact(g.Key),
                    ["attributeNames"] = Names(g.SelectMany(e => e.Attributes.Keys), call.Context),
                })])
                : new JsonObject
                {
                    ["id"] = ListId("EntityTypeList", byType.Select(g => g.Key)),
                    ["type"] = "EntityTypeList",
                    ["typeList"] = Names(byType.Select(g => g.Key), call.Context),
                };
            return call.Answer(http, body);
        }));

        api.MapGet("/types/{type}", (string type, HttpContext http, NgsiEntitySource source) => NgsiLdApi.Guarded(http, async call =>
        {
            var iri = call.Context.Expand(Uri.UnescapeDataString(type));
            var entities = await source.ReadAsync(http.Access(), t => t == iri);
            if (entities.Count == 0)
            {
                return NgsiLdProblems.ResourceNotFound($"No entity of type '{type}' that your token covers.");
            }
            var attributes = entities.SelectMany(e => e.Attributes).GroupBy(a => a.Key).OrderBy(g => call.Context.Compact(g.Key), StringComparer.Ordinal);
            return call.Answer(http, new JsonObject
            {
                ["id"] = iri,
                ["type"] = "EntityTypeInfo",
                ["typeName"] = call.Context.Compact(iri),
                ["entityCount"] = entities.Count,
                ["attributeDetails"] = new JsonArray([.. attributes.Select(g => (JsonNode)new JsonObject
                {
                    ["id"] = g.Key,
                    ["type"] = "Attribute",
                    ["attributeName"] = call.Context.Compact(g.Key),
                    ["attributeTypes"] = Kinds(g.Select(a => a.Value)),
                })]),
            });
        }));

        api.MapGet("/attributes", (HttpContext http, NgsiEntitySource source) => NgsiLdApi.Guarded(http, async call =>
        {
            var entities = await source.ReadAsync(http.Access(), _ => true);
            var byAttribute = ByAttribute(entities).OrderBy(g => call.Context.Compact(g.Key), StringComparer.Ordinal).ToList();
            JsonNode body = Details(http)
                ? new JsonArray([.. byAttribute.Select(g => (JsonNode)new JsonObject
                {
                    ["id"] = g.Key,
                    ["type"] = "Attribute",
                    ["attributeName"] = call.Context.Compact(g.Key),
                    ["typeNames"] = Names(g.Select(x => x.Entity.Type), call.Context),
                })])
                : new JsonObject
                {
                    ["id"] = ListId("AttributeList", byAttribute.Select(g => g.Key)),
                    ["type"] = "AttributeList",
                    ["attributeList"] = Names(byAttribute.Select(g => g.Key), call.Context),
                };
            return call.Answer(http, body);
        }));

        api.MapGet("/attributes/{attr}", (string attr, HttpContext http, NgsiEntitySource source) => NgsiLdApi.Guarded(http, async call =>
        {
            var iri = call.Context.Expand(Uri.UnescapeDataString(attr));
            var entities = await source.ReadAsync(http.Access(), _ => true);
            var holders = entities.Where(e => e.Attributes.ContainsKey(iri)).ToList();
            if (holders.Count == 0)
            {
                return NgsiLdProblems.ResourceNotFound($"No entity that your token covers has attribute '{attr}'.");
            }
            return call.Answer(http, new JsonObject
            {
                ["id"] = iri,
                ["type"] = "Attribute",
                ["attributeName"] = call.Context.Compact(iri),
                ["attributeCount"] = holders.Count,
                ["attributeTypes"] = Kinds(holders.Select(e => e.Attributes[iri])),
                ["typeNames"] = Names(holders.Select(e => e.Type), call.Context),
            });
        }));
        return api;
    }

    private static bool Details(HttpContext http) => http.Request.Query["details"].ToString() switch
    {
        "" or "false" => false,
        "true" => true,
        var other => throw new NgsiLdRequestException($"details: '{other}' is not true or false."),
    };

    private static IEnumerable<IGrouping<string, (string Key, NgsiEntity Entity)>> ByAttribute(IEnumerable<NgsiEntity> entities) =>
        entities.SelectMany(e => e.Attributes.Keys.Select(k => (Key: k, Entity: e))).GroupBy(x => x.Key);

    private static JsonArray Names(IEnumerable<string> iris, LdContext context) =>
        new([.. iris.Select(context.Compact).Distinct().Order(StringComparer.Ordinal).Select(n => (JsonNode)JsonValue.Create(n))]);

    private static JsonArray Kinds(IEnumerable<NgsiAttribute> attributes) =>
        new([.. attributes.Select(a => a.Kind.ToString()).Distinct().Order(StringComparer.Ordinal).Select(k => (JsonNode)JsonValue.Create(k))]);

    /// <summary>A list's id, stable for the same content.</summary>
    private static string ListId(string kind, IEnumerable<string> items) =>
        NgsiLdFormat.Urn(kind, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join('\n', items))))[..16]);
}
