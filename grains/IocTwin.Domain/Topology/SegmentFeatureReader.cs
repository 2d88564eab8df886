using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;
using static IocTwin.Topology.GeoJsonGeometry;
using static IocTwin.Topology.GeoJsonProperties;
using static IocTwin.Topology.GeoJsonText;

namespace IocTwin.Topology;

/// <summary>
/// Reads a segment feature: a LineString between two nodes, in the area it names (or, when that area has areas below
/// it, the leaf area below holding its midpoint), with lanes, capacity and speed defaulted by
/// its road class.
/// </summary>
internal static class SegmentFeatureReader
{
    private const int DefaultLanes = 2;

    public static SegmentCandidate? Read(JsonElement feature, JsonElement props, string? id, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        var areaId = AreaReference(props, ctx, required: true);
        var fromNode = RequiredReference(props, "fromNode", ctx);
        var toNode = RequiredReference(props, "toNode", ctx);
        if (fromNode is not null && toNode is not null && string.Equals(fromNode, toNode, StringComparison.Ordinal))
        {
            ctx.Error("properties.toNode", $"A segment must join two different nodes; both ends are '{fromNode}'.");
        }

        var roadClass = OptionalString(props, "roadClass", ctx);
        if (roadClass is not null)
        {
            var normalized = roadClass.Trim().ToLowerInvariant();
            if (!GeoJsonCityReader.RoadClasses.Contains(normalized))
            {
                ctx.Error("properties.roadClass",
                    $"Unknown road class '{Truncate(roadClass)}': expected one of {string.Join(", ", GeoJsonCityReader.RoadClassNames)}.");
            }
            roadClass = normalized;
        }

        var lanes = OptionalInteger(props, "lanes", 1, GeoJsonCityReader.MaxLanes, ctx) ?? DefaultLanes;
        var capacity = OptionalNumber(props, "capacityVph", ctx, min: 0, minExclusive: true);
        var speed = OptionalNumber(props, "freeFlowSpeedKmh", ctx, min: GeoJsonCityReader.MinFreeFlowSpeedKmh, max: GeoJsonCityReader.MaxFreeFlowSpeedKmh);
        var lengthM = OptionalNumber(props, "lengthM", ctx, min: 0, minExclusive: true);
        var oneWay = OptionalBool(props, "oneWay", ctx) ?? false;
        var status = SegmentStatus.Open;
        if (OptionalString(props, "status", ctx) is { } statusText)
        {
            if (EnumText<SegmentStatus>.TryParse(statusText, out var parsed))
            {
                status = parsed;
            }
            else
            {
                ctx.Error("properties.status", $"Unknown status '{Truncate(statusText)}': expected {EnumText<SegmentStatus>.Expected}.");
            }
        }

        var geometry = ReadLineString(feature, ctx);
        if (id is null || areaId is null || fromNode is null || toNode is null || geometry is null || ctx.Failed)
        {
            return null;
        }

        var length = lengthM ?? GeoPoint.PolylineLength(geometry);
        if (!(length > 0))
        {
            ctx.Error("geometry.coordinates", "The line has zero length; give distinct positions or a \"lengthM\".");
            return null;
        }

        var spec = new SegmentSpec(
            id,
            string.IsNullOrWhiteSpace(name) ? id : name,
            areaId,
            fromNode,
            toNode,
            geometry,
            length,
            lanes,
            capacity ?? lanes * DefaultCapacityPerLane(roadClass),
            speed ?? DefaultFreeFlowSpeed(roadClass),
            status,
            roadClass,
            oneWay);
        return ctx.PassesRules(TopologyRules.Validate(spec), lengthGiven: lengthM is not null)
            ? new SegmentCandidate(ctx.Index, id, spec, areaId)
            : null;
    }

    private static double DefaultCapacityPerLane(string? roadClass) => roadClass switch
    {
        "expressway" => 1800,
        "arterial" or "bridge" or "tunnel" => 900,
        "collector" or "ramp" => 700,
        _ => 600,
    };

    private static double DefaultFreeFlowSpeed(string? roadClass) => roadClass switch
    {
        "expressway" => 90,
        "ramp" => 50,
        "arterial" or "bridge" or "tunnel" => 50,
        "collector" => 40,
        _ => 30,
    };
}
