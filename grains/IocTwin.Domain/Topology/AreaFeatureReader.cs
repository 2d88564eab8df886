using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;
using static IocTwin.Topology.GeoJsonGeometry;
using static IocTwin.Topology.GeoJsonProperties;

namespace IocTwin.Topology;

/// <summary>
/// Reads an area feature: a Polygon or MultiPolygon with <c>name</c> and optional <c>nameEn</c>, <c>parentId</c> and
/// <c>schematic</c>. Type <c>area</c> names its <c>kind</c> (ward, commune, special-zone ...); type <c>district</c> is
/// an area of kind district, as district features were before areas nested.
/// </summary>
internal static class AreaFeatureReader
{
    public static AreaCandidate? Read(JsonElement feature, JsonElement props, string? id, bool isDistrict, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        var nameEn = OptionalString(props, "nameEn", ctx);
        var kind = isDistrict ? AreaKinds.District : OptionalString(props, "kind", ctx);
        if (!isDistrict && !ctx.Failed && !TopologyRules.IsValidKind(kind))
        {
            ctx.Error("properties.kind", $"An area needs a \"kind\" that {TopologyRules.KindRule}.");
        }
        var parentId = props.TryGetProperty("parentId", out var parent) && parent.ValueKind != JsonValueKind.Null
            ? ReadIdValue(parent, "properties.parentId", ctx)
            : null;
        if (parentId is not null && parentId == id)
        {
            ctx.Error("properties.parentId", "An area cannot be its own parent.");
        }
        var schematic = OptionalBool(props, "schematic", ctx) ?? false;
        var parts = ReadAreaBoundary(feature, isDistrict ? "district" : "area", ctx);
        if (id is null || kind is null || parts is null || ctx.Failed)
        {
            return null;
        }
        var spec = new DistrictSpec(id, string.IsNullOrWhiteSpace(name) ? id : name, nameEn, parts[0], kind, parentId, schematic,
            parts.Count > 1 ? parts[1..] : null);
        return ctx.PassesRules(TopologyRules.Validate(spec), lengthGiven: false) ? new AreaCandidate(ctx.Index, id, spec) : null;
    }

}
