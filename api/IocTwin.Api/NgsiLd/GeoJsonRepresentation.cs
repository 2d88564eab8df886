using System.Text.Json.Nodes;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// The GeoJSON representation (Accept: application/geo+json): an entity as a Feature whose geometry is its GeoProperty
/// (geometryProperty, default location) and whose properties are its type and attributes; a list as a FeatureCollection,
/// so GIS tools read the twin directly.
/// </summary>
public static class GeoJsonRepresentation
{
    public const string MediaType = "application/geo+json";

    public static JsonNode Convert(JsonNode body, string geometryProperty) => body switch
    {
        JsonArray list => new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray([.. list.OfType<JsonObject>().Select(e => (JsonNode)Feature(e, geometryProperty))]),
        },
        JsonObject entity when entity["id"] is not null => Feature(entity, geometryProperty),
        _ => body,
    };

    private static JsonObject Feature(JsonObject entity, string geometryProperty)
    {
        var properties = new JsonObject();
        foreach (var (name, value) in entity.Where(p => p.Key != "id"))
        {
            properties[name] = value?.DeepClone();
        }
        return new JsonObject
        {
            ["id"] = entity["id"]!.DeepClone(),
            ["type"] = "Feature",
            ["geometry"] = Geometry(entity[geometryProperty]),
            ["properties"] = properties,
        };
    }

    /// <summary>The geometry of a GeoProperty in any representation: {type: GeoProperty, value}, {value}, or the geometry itself.</summary>
    private static JsonNode? Geometry(JsonNode? attribute) => attribute switch
    {
        JsonObject { } withValue when withValue["value"] is JsonObject geometry => geometry.DeepClone(),
        JsonObject { } bare when bare["coordinates"] is not null => bare.DeepClone(),
        _ => null,
    };
}
