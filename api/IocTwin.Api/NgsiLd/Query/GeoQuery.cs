using System.Text.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;

namespace IocTwin.Api.NgsiLd.Query;

public enum GeoRelation
{
    Near,
    Within,
    Contains,
    Intersects,
    Disjoint,
    Equals,
    Overlaps,
}

/// <summary>
/// An NGSI-LD geo-query (georel, geometry, coordinates, geoproperty). Geometries are compared on a local plane around
/// the query geometry (metres east and north of it): exact enough for a city, where the curvature of the earth does not
/// change which roads lie within a district or near a point.
/// </summary>
public sealed class GeoQuery
{
    private const double EarthRadiusM = 6_371_008.8;
    private static readonly GeometryFactory Factory = new();

    private readonly Geometry _target;
    private readonly double _originLon;
    private readonly double _originLat;

    private GeoQuery(GeoRelation relation, double? maxDistance, double? minDistance, string geoProperty, Coordinate origin, JsonNode coordinates, string geometryType)
    {
        Relation = relation;
        MaxDistanceM = maxDistance;
        MinDistanceM = minDistance;
        GeoProperty = geoProperty;
        _originLon = origin.X;
        _originLat = origin.Y;
        _target = Build(geometryType, coordinates, "coordinates");
    }

    public GeoRelation Relation { get; }
    public double? MaxDistanceM { get; }
    public double? MinDistanceM { get; }

    /// <summary>The expanded name of the GeoProperty compared.</summary>
    public string GeoProperty { get; }

    /// <summary>Reads the query parameters; throws <see cref="NgsiLdRequestException"/> naming the bad one.</summary>
    public static GeoQuery Parse(string georel, string? geometry, string? coordinates, string geoProperty)
    {
        var parts = georel.Split(';');
        var relation = parts[0] switch
        {
            "near" => GeoRelation.Near,
            "within" => GeoRelation.Within,
            "contains" => GeoRelation.Contains,
            "intersects" => GeoRelation.Intersects,
            "disjoint" => GeoRelation.Disjoint,
            "equals" => GeoRelation.Equals,
            "overlaps" => GeoRelation.Overlaps,
            _ => throw new NgsiLdRequestException($"georel '{parts[0]}' is not one of near, within, contains, intersects, disjoint, equals, overlaps."),
        };
        double? max = null, min = null;
        foreach (var modifier in parts.Skip(1))
        {
            var pair = modifier.Split("==");
            if (relation != GeoRelation.Near || pair.Length != 2 || pair[0] is not ("maxDistance" or "minDistance")
                || !double.TryParse(pair[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var metres)
                || !double.IsFinite(metres) || metres < 0)
            {
                throw new NgsiLdRequestException($"georel: '{modifier}' is not maxDistance==<metres> or minDistance==<metres> after near.");
            }
            if (pair[0] == "maxDistance") max = metres; else min = metres;
        }
        if (relation == GeoRelation.Near && max is null && min is null)
        {
            throw new NgsiLdRequestException("georel: near needs maxDistance==<metres> or minDistance==<metres>.");
        }
        if (geometry is null || coordinates is null)
        {
            throw new NgsiLdRequestException("A geo-query needs georel, geometry and coordinates together.");
        }
        if (geometry is not ("Point" or "LineString" or "Polygon" or "MultiPolygon"))
        {
            throw new NgsiLdRequestException($"geometry '{geometry}' is not Point, LineString, Polygon or MultiPolygon.");
        }
        if (relation == GeoRelation.Near && geometry != "Point")
        {
            throw new NgsiLdRequestException("georel near goes with geometry Point.");
        }
        JsonNode parsed;
        try
        {
            parsed = JsonNode.Parse(coordinates) ?? throw new NgsiLdRequestException("coordinates are empty.");
        }
        catch (JsonException)
        {
            throw new NgsiLdRequestException("coordinates are not a JSON array of positions, e.g. [108.22,16.07].");
        }
        var origin = FirstPosition(parsed) ?? throw new NgsiLdRequestException("coordinates hold no position.");
        return new GeoQuery(relation, max, min, geoProperty, origin, parsed, geometry);
    }

    /// <summary>Whether the entity's GeoProperty stands in the relation to the query geometry; false when it has none.</summary>
    public bool Matches(NgsiEntity entity)
    {
        if (entity.Attributes.GetValueOrDefault(GeoProperty) is not { Kind: AttributeKind.GeoProperty, Value: JsonObject geo }
            || geo["type"]?.GetValue<string>() is not { } type || geo["coordinates"] is not { } coordinates)
        {
            return false;
        }
        Geometry geometry;
        try
        {
            geometry = Build(type, coordinates, "location");
        }
        catch (NgsiLdRequestException)
        {
            return false;
        }
        try
        {
            return Satisfies(geometry);
        }
        catch (TopologyException)
        {
            // A self-crossing outline relates to nothing.
            return false;
        }
    }

    private bool Satisfies(Geometry geometry) =>
        Relation switch
        {
            GeoRelation.Near => geometry.Distance(_target) is var d && (MaxDistanceM is not { } max || d <= max) && (MinDistanceM is not { } min || d >= min),
            GeoRelation.Within => geometry.Within(_target),
            GeoRelation.Contains => geometry.Contains(_target),
            GeoRelation.Intersects => geometry.Intersects(_target),
            GeoRelation.Disjoint => geometry.Disjoint(_target),
            GeoRelation.Equals => geometry.EqualsTopologically(_target),
            _ => geometry.Overlaps(_target),
        };

    private Geometry Build(string type, JsonNode coordinates, string field)
    {
        try
        {
            return type switch
            {
                "Point" => Factory.CreatePoint(Position(coordinates)),
                "LineString" => Factory.CreateLineString(Positions(coordinates)),
                "Polygon" => PolygonOf(coordinates.AsArray()),
                "MultiPolygon" => Factory.CreateMultiPolygon([.. coordinates.AsArray().Select(p => PolygonOf(p!.AsArray()))]),
                _ => throw new NgsiLdRequestException($"{field}: geometry type '{type}' is not supported."),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or NullReferenceException)
        {
            throw new NgsiLdRequestException($"{field} do not make a valid {type}: {ex.Message}");
        }
    }

    private Polygon PolygonOf(JsonArray rings)
    {
        var closed = rings.Select(r => Closed(Positions(r!))).ToArray();
        if (closed.Any(r => r.Length < 4))
        {
            throw new ArgumentException("a ring needs at least three distinct positions");
        }
        var linear = closed.Select(Factory.CreateLinearRing).ToArray();
        if (linear.Length == 0)
        {
            throw new ArgumentException("a polygon needs a ring");
        }
        return Factory.CreatePolygon(linear[0], linear[1..]);
    }

    private static Coordinate[] Closed(Coordinate[] ring) =>
        ring.Length > 0 && !ring[0].Equals2D(ring[^1]) ? [.. ring, ring[0]] : ring;

    private Coordinate[] Positions(JsonNode node) => [.. node.AsArray().Select(p => Position(p!))];

    /// <summary>[lon, lat] → metres east and north of the query's first position.</summary>
    private Coordinate Position(JsonNode node)
    {
        var pair = node.AsArray();
        if (pair.Count < 2)
        {
            throw new ArgumentException("a position is [longitude, latitude]");
        }
        var lon = pair[0]!.GetValue<double>();
        var lat = pair[1]!.GetValue<double>();
        if (!double.IsFinite(lon) || !double.IsFinite(lat) || lon is < -180 or > 180 || lat is < -90 or > 90)
        {
            throw new ArgumentException($"[{lon}, {lat}] is not a longitude and latitude");
        }
        var x = double.DegreesToRadians(lon - _originLon) * EarthRadiusM * Math.Cos(double.DegreesToRadians(_originLat));
        var y = double.DegreesToRadians(lat - _originLat) * EarthRadiusM;
        return new Coordinate(x, y);
    }

    private static Coordinate? FirstPosition(JsonNode node) => node switch
    {
        JsonArray { Count: >= 2 } pair when pair[0] is JsonValue lon && pair[1] is JsonValue lat
            && lon.TryGetValue<double>(out var x) && lat.TryGetValue<double>(out var y) => new Coordinate(x, y),
        JsonArray { Count: > 0 } nested => FirstPosition(nested[0]!),
        _ => null,
    };
}
