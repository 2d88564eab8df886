using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;
using static IocTwin.Topology.GeoJsonGeometry;
using static IocTwin.Topology.GeoJsonProperties;

namespace IocTwin.Topology;

/// <summary>Reads a district feature: a Polygon with <c>name</c> and optional <c>nameEn</c>.</summary>
internal static class DistrictFeatureReader
{
    public static DistrictCandidate? Read(JsonElement feature, JsonElement props, string? id, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        var nameEn = OptionalString(props, "nameEn", ctx);
        var boundary = ReadPolygon(feature, ctx);
        if (id is null || boundary is null || ctx.Failed)
        {
            return null;
        }
        var spec = new DistrictSpec(id, string.IsNullOrWhiteSpace(name) ? id : name, nameEn, boundary);
        return ctx.PassesRules(TopologyRules.Validate(spec), lengthGiven: false) ? new DistrictCandidate(ctx.Index, id, spec) : null;
    }
}
