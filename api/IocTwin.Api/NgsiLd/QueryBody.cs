using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// Reads the Query data type of POST /entityOperations/query ({"type": "Query", "entities": [{type, id, idPattern}],
/// "attrs", "q", "geoQ": {geometry, coordinates, georel, geoproperty}}) into the parameters of GET /entities; paging,
/// count and options stay in the URL, as the specification has them.
/// </summary>
public static class QueryBody
{
    public static IQueryCollection ToParameters(JsonObject body, IQueryCollection url)
    {
        if (body["type"] is not JsonValue type || !type.TryGetValue<string>(out var typeName) || typeName != "Query")
        {
            throw new NgsiLdRequestException("The body's type must be \"Query\".");
        }
        var parameters = new Dictionary<string, StringValues>();
        foreach (var name in new[] { "limit", "offset", "count", "options", "format" })
        {
            if (url.TryGetValue(name, out var value)) parameters[name] = value;
        }
        if (body["entities"] is { } entities)
        {
            if (entities is not JsonArray selectors || selectors.Any(s => s is not JsonObject))
            {
                throw new NgsiLdRequestException("entities must be an array of {type, id, idPattern}.");
            }
            Join(parameters, "type", selectors.Select(s => Text(s!["type"], "entities[].type")));
            Join(parameters, "id", selectors.Select(s => Text(s!["id"], "entities[].id")));
            var patterns = selectors.Select(s => Text(s!["idPattern"], "entities[].idPattern")).OfType<string>().Distinct().ToList();
            if (patterns.Count > 1)
            {
                throw new NgsiLdRequestException("entities: give at most one idPattern.");
            }
            Join(parameters, "idPattern", patterns);
        }
        if (body["attrs"] is { } attrs)
        {
            Join(parameters, "attrs", attrs is JsonArray list ? list.Select(a => Text(a, "attrs[]")) : throw new NgsiLdRequestException("attrs must be an array of names."));
        }
        Join(parameters, "q", [Text(body["q"], "q")]);
        if (body["geoQ"] is { } geo)
        {
            if (geo is not JsonObject geoQ)
            {
                throw new NgsiLdRequestException("geoQ must be an object {geometry, coordinates, georel, geoproperty}.");
            }
            Join(parameters, "georel", [Text(geoQ["georel"], "geoQ.georel")]);
            Join(parameters, "geometry", [Text(geoQ["geometry"], "geoQ.geometry")]);
            Join(parameters, "geoproperty", [Text(geoQ["geoproperty"], "geoQ.geoproperty")]);
            Join(parameters, "coordinates", [geoQ["coordinates"] switch
            {
                null => null,
                JsonValue text when text.TryGetValue<string>(out var written) => written,
                var node => node.ToJsonString(),
            }]);
        }
        return new QueryCollection(parameters);
    }

    private static string? Text(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new NgsiLdRequestException($"{field} must be a string."),
    };

    private static void Join(Dictionary<string, StringValues> parameters, string name, IEnumerable<string?> values)
    {
        var given = values.OfType<string>().Distinct().ToList();
        if (given.Count > 0)
        {
            parameters[name] = string.Join(',', given);
        }
    }
}
