using System.Text.Json;
using IocTwin.Model;
using static IocTwin.Topology.GeoJsonText;

namespace IocTwin.Topology;

/// <summary>Reads feature geometries (RFC 7946, WGS84 [lon, lat]): the Point of a sensor, the LineString of a segment, the outer ring(s) of an area's Polygon or MultiPolygon.</summary>
internal static class GeoJsonGeometry
{
    public static bool TryGetGeometry(JsonElement feature, string expectedType, string featureKind, FeatureContext ctx,
        out JsonElement coordinates)
    {
        coordinates = default;
        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            ctx.Error("geometry", $"{Article(featureKind)} {featureKind} needs a {expectedType} geometry.");
            return false;
        }
        if (!geometry.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            ctx.Error("geometry", $"The geometry has no \"type\"; a {featureKind} needs a {expectedType}.");
            return false;
        }
        if (!type.ValueEquals(expectedType))
        {
            ctx.Error("geometry", $"{Article(featureKind)} {featureKind} needs a {expectedType} geometry, got {Truncate(type.GetString()!)}.");
            return false;
        }
        if (!geometry.TryGetProperty("coordinates", out coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            ctx.Error("geometry.coordinates", $"A {expectedType} needs a \"coordinates\" array.");
            return false;
        }
        return true;
    }

    private static string Article(string noun) => noun.StartsWith('a') ? "An" : "A";

    public static GeoPoint? ReadPoint(JsonElement feature, FeatureContext ctx)
    {
        if (!TryGetGeometry(feature, "Point", "sensor", ctx, out var coordinates))
        {
            return null;
        }
        return ReadPosition(coordinates, "geometry.coordinates", ctx);
    }

    public static GeoPoint[]? ReadLineString(JsonElement feature, FeatureContext ctx)
    {
        if (!TryGetGeometry(feature, "LineString", "segment", ctx, out var coordinates))
        {
            return null;
        }
        var points = ReadPositions(coordinates, "geometry.coordinates", ctx);
        if (points is null)
        {
            return null;
        }
        if (points.Length < 2)
        {
            ctx.Error("geometry.coordinates", $"A LineString needs at least 2 positions, got {points.Length}.");
            return null;
        }
        return points;
    }

    /// <summary>An area's boundary: the outer ring of a Polygon, or of each polygon of a MultiPolygon.</summary>
    public static List<GeoPoint[]>? ReadAreaBoundary(JsonElement feature, string featureKind, FeatureContext ctx)
    {
        var isMulti = feature.TryGetProperty("geometry", out var geometry) && geometry.ValueKind == JsonValueKind.Object &&
            geometry.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("MultiPolygon");
        if (!TryGetGeometry(feature, isMulti ? "MultiPolygon" : "Polygon", featureKind, ctx, out var coordinates))
        {
            return null;
        }
        if (!isMulti)
        {
            return ReadPolygonRings(coordinates, "geometry.coordinates", ctx) is { } ring ? [ring] : null;
        }
        if (coordinates.GetArrayLength() == 0)
        {
            ctx.Error("geometry.coordinates", "A MultiPolygon needs at least one polygon.");
            return null;
        }
        List<GeoPoint[]> parts = [];
        var p = 0;
        foreach (var polygon in coordinates.EnumerateArray())
        {
            var field = $"geometry.coordinates[{p++}]";
            if (polygon.ValueKind != JsonValueKind.Array)
            {
                ctx.Error(field, $"A polygon must be an array of rings, got {Describe(polygon)}.");
                return null;
            }
            if (ReadPolygonRings(polygon, field, ctx) is not { } outer)
            {
                return null;
            }
            parts.Add(outer);
        }
        return parts;
    }

    /// <summary>The outer ring of a polygon's rings, each ring checked; holes are read and left out.</summary>
    private static GeoPoint[]? ReadPolygonRings(JsonElement rings, string polygonField, FeatureContext ctx)
    {
        if (rings.GetArrayLength() == 0)
        {
            ctx.Error(polygonField, "A Polygon needs an outer ring.");
            return null;
        }

        GeoPoint[]? outer = null;
        var r = 0;
        foreach (var ring in rings.EnumerateArray())
        {
            var field = $"{polygonField}[{r}]";
            if (ring.ValueKind != JsonValueKind.Array)
            {
                ctx.Error(field, $"A ring must be an array of positions, got {Describe(ring)}.");
                return null;
            }
            var points = ReadPositions(ring, field, ctx);
            if (points is null)
            {
                return null;
            }
            if (points.Distinct().Count() < 3)
            {
                ctx.Error(field, "A ring needs at least 3 distinct positions.");
                return null;
            }
            outer ??= points;
            r++;
        }
        return outer;
    }

    public static GeoPoint[]? ReadPositions(JsonElement array, string field, FeatureContext ctx)
    {
        var points = new GeoPoint[array.GetArrayLength()];
        var i = 0;
        foreach (var position in array.EnumerateArray())
        {
            var point = ReadPosition(position, $"{field}[{i}]", ctx);
            if (point is null)
            {
                return null;
            }
            points[i++] = point.Value;
        }
        return points;
    }

    public static GeoPoint? ReadPosition(JsonElement position, string field, FeatureContext ctx)
    {
        if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2)
        {
            ctx.Error(field, $"A position must be an array of two numbers [lon, lat], got {Describe(position)}.");
            return null;
        }
        var lonElement = position[0];
        var latElement = position[1];
        if (lonElement.ValueKind != JsonValueKind.Number || latElement.ValueKind != JsonValueKind.Number ||
            !lonElement.TryGetDouble(out var lon) || !latElement.TryGetDouble(out var lat))
        {
            ctx.Error(field, "A position's longitude and latitude must be finite numbers.");
            return null;
        }
        var point = new GeoPoint(lon, lat);
        if (!point.IsValid)
        {
            ctx.Error(field, $"[{Format(lon)}, {Format(lat)}] is not a WGS84 position: longitude must be within ±180 and latitude within ±90.");
            return null;
        }
        return point;
    }
}
