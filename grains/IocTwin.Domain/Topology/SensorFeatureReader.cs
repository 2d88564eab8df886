using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;
using static IocTwin.Topology.GeoJsonGeometry;
using static IocTwin.Topology.GeoJsonProperties;
using static IocTwin.Topology.GeoJsonText;

namespace IocTwin.Topology;

/// <summary>
/// Reads a sensor feature: a Point with a <c>kind</c>, an optional <c>sector</c>, and an <c>areaId</c> (or
/// <c>districtId</c>) that may be left out when the sensor is on a segment (the area then comes from the segment, once
/// the whole file is read); an area with areas below it places the sensor in the leaf below holding its location.
/// </summary>
internal static class SensorFeatureReader
{
    public static SensorCandidate? Read(JsonElement feature, JsonElement props, string? id, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        SensorKind? kind = null;
        if (!props.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind == JsonValueKind.Null)
        {
            ctx.Error("properties.kind", $"Missing sensor kind: expected {SectorCatalog.Current.ExpectedKinds}.");
        }
        else if (kindElement.ValueKind != JsonValueKind.String)
        {
            ctx.Error("properties.kind", $"Expected a string, got {Describe(kindElement)}.");
        }
        else if (SectorCatalog.Current.TryParse(kindElement.GetString(), out SensorKind parsedKind))
        {
            kind = parsedKind;
        }
        else
        {
            ctx.Error("properties.kind",
                $"Unknown sensor kind '{Truncate(kindElement.GetString()!)}': expected {SectorCatalog.Current.ExpectedKinds}.");
        }

        Sector? sector = null;
        if (OptionalString(props, "sector", ctx) is { } sectorText)
        {
            if (SectorCatalog.Current.TryParse(sectorText, out Sector parsedSector))
            {
                sector = parsedSector;
            }
            else
            {
                ctx.Error("properties.sector", $"Unknown sector '{Truncate(sectorText)}': expected {SectorCatalog.Current.ExpectedSectors}.");
            }
        }

        string? segmentId = null;
        var hasSegment = props.TryGetProperty("segmentId", out var segmentElement) && segmentElement.ValueKind != JsonValueKind.Null;
        if (hasSegment)
        {
            segmentId = ReadIdValue(segmentElement, "properties.segmentId", ctx);
        }
        // On a segment the area may be left out: it is the segment's.
        var districtId = AreaReference(props, ctx, required: !hasSegment);

        var location = ReadPoint(feature, ctx);
        if (id is null || kind is null || location is null || ctx.Failed)
        {
            return null;
        }

        var spec = new SensorSpec(id, kind.Value, sector ?? SectorCatalog.Current.SectorOf(kind.Value), location.Value, "", segmentId,
            string.IsNullOrWhiteSpace(name) ? null : name);
        return new SensorCandidate(ctx.Index, id, spec, districtId);
    }
}
