using System.Text.Json;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// A city as the GeoJSON documents an operator would send to <c>POST /api/v1/import</c>: the areas first, then the
/// segments and sensors of a run of districts at a time, each document under Kestrel's 30 MB body limit.
/// </summary>
public static class CityDocuments
{
    /// <summary>Segments and sensors per document.</summary>
    public const int FeaturesPerDocument = 20_000;

    public static IEnumerable<byte[]> Write(CitySpec city)
    {
        yield return Document(writer =>
        {
            foreach (var area in city.Districts)
            {
                Area(writer, area);
            }
        });
        var sensorsBySegment = city.Sensors.Where(s => s.SegmentId is not null).ToLookup(s => s.SegmentId!, StringComparer.Ordinal);
        var directByArea = city.Sensors.Where(s => s.SegmentId is null).ToLookup(s => s.DistrictId, StringComparer.Ordinal);
        var segmentsByArea = city.Segments.ToLookup(s => s.DistrictId, StringComparer.Ordinal);
        var pending = new List<string>();
        var features = 0;
        foreach (var area in city.Districts)
        {
            pending.Add(area.Id);
            features += segmentsByArea[area.Id].Count() + directByArea[area.Id].Count() +
                segmentsByArea[area.Id].Sum(s => sensorsBySegment[s.Id].Count());
            if (features >= FeaturesPerDocument)
            {
                yield return Members(pending);
                pending = [];
                features = 0;
            }
        }
        if (features > 0)
        {
            yield return Members(pending);
        }

        byte[] Members(List<string> areaIds) => Document(writer =>
        {
            foreach (var areaId in areaIds)
            {
                foreach (var segment in segmentsByArea[areaId])
                {
                    Segment(writer, segment);
                    foreach (var sensor in sensorsBySegment[segment.Id])
                    {
                        Sensor(writer, sensor);
                    }
                }
                foreach (var sensor in directByArea[areaId])
                {
                    Sensor(writer, sensor);
                }
            }
        });
    }

    private static byte[] Document(Action<Utf8JsonWriter> features)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "FeatureCollection");
            writer.WriteStartArray("features");
            features(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Area(Utf8JsonWriter writer, DistrictSpec area) => Feature(writer, "Polygon", w =>
    {
        w.WriteStartArray();
        Points(w, area.Boundary);
        w.WriteEndArray();
    }, w =>
    {
        w.WriteString("type", "area");
        w.WriteString("id", area.Id);
        w.WriteString("kind", area.Kind);
        w.WriteString("name", area.Name);
        if (area.ParentId is { } parentId)
        {
            w.WriteString("parentId", parentId);
        }
    });

    private static void Segment(Utf8JsonWriter writer, SegmentSpec segment) => Feature(writer, "LineString", w => Points(w, segment.Geometry), w =>
    {
        w.WriteString("type", "segment");
        w.WriteString("id", segment.Id);
        w.WriteString("name", segment.Name);
        w.WriteString("districtId", segment.DistrictId);
        w.WriteString("fromNode", segment.FromNode);
        w.WriteString("toNode", segment.ToNode);
        w.WriteNumber("lengthM", segment.LengthM);
        w.WriteNumber("lanes", segment.Lanes);
        w.WriteNumber("capacityVph", segment.CapacityVph);
        w.WriteNumber("freeFlowSpeedKmh", segment.FreeFlowSpeedKmh);
        w.WriteBoolean("oneWay", segment.OneWay);
    });

    private static void Sensor(Utf8JsonWriter writer, SensorSpec sensor) => Feature(writer, "Point", w =>
    {
        w.WriteNumberValue(sensor.Location.Lon);
        w.WriteNumberValue(sensor.Location.Lat);
    }, w =>
    {
        w.WriteString("type", "sensor");
        w.WriteString("id", sensor.Id);
        w.WriteString("kind", sensor.Kind.ToString());
        w.WriteString("sector", sensor.Sector.ToString());
        w.WriteString("districtId", sensor.DistrictId);
        if (sensor.SegmentId is { } segmentId)
        {
            w.WriteString("segmentId", segmentId);
        }
    });

    private static void Feature(Utf8JsonWriter writer, string geometryType, Action<Utf8JsonWriter> coordinates, Action<Utf8JsonWriter> properties)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        writer.WriteStartObject("geometry");
        writer.WriteString("type", geometryType);
        writer.WriteStartArray("coordinates");
        coordinates(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteStartObject("properties");
        properties(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void Points(Utf8JsonWriter writer, IEnumerable<GeoPoint> points)
    {
        foreach (var point in points)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(point.Lon);
            writer.WriteNumberValue(point.Lat);
            writer.WriteEndArray();
        }
    }
}
