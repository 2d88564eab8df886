using System.Text.Json;
using static IocTwin.Topology.GeoJsonText;
using static IocTwin.Topology.GeoJsonProperties;

namespace IocTwin.Topology;

/// <summary>Reads one feature of a city import: its id and type, then hands it to the reader of its kind.</summary>
internal static class GeoJsonFeatureReader
{
    public static FeatureCandidate? Read(JsonElement feature, FeatureContext ctx)
    {
        if (feature.ValueKind != JsonValueKind.Object)
        {
            ctx.Error("", $"A feature must be an object, got {Describe(feature)}.");
            return null;
        }

        if (!feature.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
        {
            ctx.Id = TopLevelId(feature);
            ctx.Error("properties", "A feature needs a \"properties\" object.");
            return null;
        }

        var id = ReadId(feature, props, ctx);

        if (!feature.TryGetProperty("type", out var featureType) || featureType.ValueKind != JsonValueKind.String ||
            !featureType.ValueEquals("Feature"))
        {
            ctx.Error("type", "A feature's \"type\" must be \"Feature\".");
        }

        if (!props.TryGetProperty("type", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
        {
            ctx.Error("properties.type", "Missing \"type\": expected area, district, segment or sensor.");
            return null;
        }

        var kind = kindElement.GetString()!;
        if (kind.Equals("district", StringComparison.OrdinalIgnoreCase) || kind.Equals("area", StringComparison.OrdinalIgnoreCase))
        {
            return AreaFeatureReader.Read(feature, props, id, isDistrict: kind.Equals("district", StringComparison.OrdinalIgnoreCase), ctx);
        }
        if (kind.Equals("segment", StringComparison.OrdinalIgnoreCase))
        {
            return SegmentFeatureReader.Read(feature, props, id, ctx);
        }
        if (kind.Equals("sensor", StringComparison.OrdinalIgnoreCase))
        {
            return SensorFeatureReader.Read(feature, props, id, ctx);
        }

        ctx.Error("properties.type", $"Unknown feature type '{Truncate(kind)}': expected area, district, segment or sensor.");
        return null;
    }
}
