using System.Collections.Frozen;
using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;
using static IocTwin.Topology.GeoJsonText;

namespace IocTwin.Topology;

/// <summary>
/// Reads a city topology from a GeoJSON FeatureCollection (RFC 7946, WGS84 [lon, lat] positions).
/// </summary>
/// <remarks>
/// <para>Each feature carries <c>properties.type</c>, one of <c>area</c> or <c>district</c> (Polygon or MultiPolygon),
/// <c>segment</c> (LineString) or <c>sensor</c> (Point), and an <c>id</c> of at most 128 characters from
/// <c>[A-Za-z0-9._:-]</c>, unique in the file.</para>
/// <para>Area: <c>kind</c> (district, ward, commune, special-zone ...: lowercase letters, digits and '-'), <c>name</c>,
/// optional <c>nameEn</c>, <c>parentId</c> (an area of the file or of the twin; none: directly under the city) and
/// <c>schematic</c> (true when the boundary is only approximate). A district feature is an area of kind district, as
/// files were before areas nested. Areas whose parents are unknown or form a cycle, and children whose boundary is not
/// inside their parent's (every vertex within <see cref="AreaGeometry.EdgeToleranceM"/> of it), are rejected, and so
/// is everything below them.</para>
/// <para>Segment: <c>districtId</c> (or <c>areaId</c>), <c>fromNode</c>, <c>toNode</c> and
/// optional <c>name</c>, <c>lanes</c> (1..12, default 2), <c>capacityVph</c> (&gt; 0, default lanes × the per-lane capacity
/// of the road class), <c>freeFlowSpeedKmh</c> (5..150, default by road class), <c>roadClass</c>, <c>oneWay</c>
/// (default false), <c>status</c> (default open) and <c>lengthM</c> (default: the length of the line).
/// Sensor: <c>kind</c>, <c>districtId</c> (or <c>areaId</c>) and optional <c>sector</c> (default: the kind's usual sector),
/// <c>segmentId</c> and <c>name</c>; a sensor on a segment belongs to that segment's area, so its
/// <c>districtId</c> may be left out when the segment is in the same file, and must match it (or an area above it) when
/// given. Segments and sensors belong to leaf areas: one that names an area of the file with areas below it goes to the
/// leaf below holding its midpoint or location, and is rejected when none does. Enumerations are written in kebab-case
/// (<c>traffic-counter</c>) and read case-insensitively.</para>
/// <para>A bad feature is reported in <see cref="CityImportResult.Errors"/> and left out; the good ones are kept.
/// References (<c>districtId</c>, <c>segmentId</c>) must name a feature accepted from the same file or an id in the
/// given known sets, so a sensor on a rejected segment is rejected too. A document that is not a FeatureCollection
/// throws <see cref="FormatException"/>.</para>
/// </remarks>
public static class GeoJsonCityReader
{
    public const string SampleResourceName = "IocTwin.SampleCity.danang.geojson";
    public const int MaxIdLength = TopologyRules.MaxIdLength;
    public const int MaxLanes = 12;
    public const double MinFreeFlowSpeedKmh = 5;
    public const double MaxFreeFlowSpeedKmh = 150;

    internal static readonly string[] RoadClassNames = ["expressway", "arterial", "collector", "local", "bridge", "tunnel", "ramp"];

    /// <summary>Road classes a segment may declare.</summary>
    public static IReadOnlySet<string> RoadClasses { get; } = RoadClassNames.ToFrozenSet(StringComparer.Ordinal);

    public static CityImportResult Read(
        Stream utf8Json,
        string cityId = "danang",
        string cityName = "Đà Nẵng",
        IReadOnlySet<string>? knownDistrictIds = null,
        IReadOnlySet<string>? knownSegmentIds = null,
        IReadOnlySet<string>? knownSensorIds = null)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The document is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return Read(document.RootElement, cityId, cityName, knownDistrictIds, knownSegmentIds, knownSensorIds);
        }
    }

    public static CityImportResult Read(
        JsonElement root,
        string cityId = "danang",
        string cityName = "Đà Nẵng",
        IReadOnlySet<string>? knownDistrictIds = null,
        IReadOnlySet<string>? knownSegmentIds = null,
        IReadOnlySet<string>? knownSensorIds = null)
    {
        ArgumentNullException.ThrowIfNull(cityId);
        ArgumentNullException.ThrowIfNull(cityName);
        var features = GetFeatureArray(root);

        var errors = new List<ImportError>();
        var candidates = new List<FeatureCandidate>();
        var index = 0;
        foreach (var feature in features.EnumerateArray())
        {
            var context = new FeatureContext(index, errors);
            var candidate = GeoJsonFeatureReader.Read(feature, context);
            if (candidate is not null && !context.Failed)
            {
                candidates.Add(candidate);
            }
            index++;
        }

        // Ids are unique across the whole file; the first acceptable feature keeps its id.
        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<FeatureCandidate>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (firstUse.TryGetValue(candidate.Id, out var first))
            {
                errors.Add(new ImportError(candidate.Index, candidate.Id, FeatureContext.Path(candidate.Index, "properties.id"),
                    $"Duplicate id '{candidate.Id}': already used by features[{first}]."));
                continue;
            }
            // Segments and sensors share the hub's entity scope: an id names one entity of either kind.
            var takenBy = candidate switch
            {
                SegmentCandidate when knownSensorIds?.Contains(candidate.Id) == true => "sensor",
                SensorCandidate when knownSegmentIds?.Contains(candidate.Id) == true => "segment",
                _ => null,
            };
            if (takenBy is not null)
            {
                errors.Add(new ImportError(candidate.Index, candidate.Id, FeatureContext.Path(candidate.Index, "properties.id"),
                    $"Id '{candidate.Id}' is already a {takenBy} of the twin."));
                continue;
            }
            firstUse.Add(candidate.Id, candidate.Index);
            unique.Add(candidate);
        }

        var areas = AreaTreeImport.Check([.. unique.OfType<AreaCandidate>()], knownDistrictIds, errors);

        var segments = new List<SegmentSpec>();
        var segmentDistricts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var segment in unique.OfType<SegmentCandidate>())
        {
            // A segment belongs to the lowest area holding it: the one it names, or the leaf below that holds its midpoint.
            if (areas.Place(segment.AreaId, AreaGeometry.Midpoint(segment.Spec.Geometry), out var problem) is not { } leaf)
            {
                errors.Add(new ImportError(segment.Index, segment.Id, FeatureContext.Path(segment.Index, AreaField(segment.AreaId, problem!)),
                    problem!));
                continue;
            }
            segments.Add(segment.Spec with { DistrictId = leaf });
            segmentDistricts.Add(segment.Id, leaf);
        }

        var sensors = new List<SensorSpec>();
        foreach (var sensor in unique.OfType<SensorCandidate>())
        {
            var ctx = new FeatureContext(sensor.Index, errors) { Id = sensor.Id };
            var districtId = sensor.DistrictId;
            if (sensor.Spec.SegmentId is { } segmentId)
            {
                if (segmentDistricts.TryGetValue(segmentId, out var segmentDistrict))
                {
                    // A sensor on a segment belongs to the segment's (leaf) area, which may lie below the one it names.
                    if (districtId is null || areas.IsSelfOrAncestor(districtId, segmentDistrict))
                    {
                        districtId = segmentDistrict;
                    }
                    else
                    {
                        ctx.Error("properties.districtId",
                            $"The sensor is on segment '{segmentId}', which lies in district '{segmentDistrict}', not '{districtId}'.");
                    }
                }
                else if (!(knownSegmentIds?.Contains(segmentId) ?? false))
                {
                    ctx.Error("properties.segmentId", $"Unknown segment '{segmentId}'.");
                }
                else if (districtId is null)
                {
                    ctx.Error("properties.districtId", $"Missing \"districtId\": segment '{segmentId}' is not in this file.");
                }
            }
            if (districtId is not null && (sensor.Spec.SegmentId is null || !segmentDistricts.ContainsKey(sensor.Spec.SegmentId)))
            {
                districtId = areas.Place(districtId, sensor.Spec.Location, out var problem);
                if (problem is not null)
                {
                    ctx.Error(AreaField(sensor.DistrictId, problem), problem);
                }
            }
            if (ctx.Failed || districtId is null)
            {
                continue;
            }

            var spec = sensor.Spec with { DistrictId = districtId };
            if (ctx.PassesRules(TopologyRules.Validate(spec), lengthGiven: false))
            {
                sensors.Add(spec);
            }
        }

        var city = new CitySpec(cityId, cityName, areas.Accepted.ToArray(), segments.ToArray(), sensors.ToArray());
        var ordered = errors.OrderBy(e => e.FeatureIndex).ToArray();
        return new CityImportResult(city, ordered);
    }

    /// <summary>The bundled Đà Nẵng city. Throws if the bundled file does not import cleanly.</summary>
    public static CitySpec LoadSample()
    {
        var assembly = typeof(GeoJsonCityReader).Assembly;
        using var stream = assembly.GetManifestResourceStream(SampleResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{SampleResourceName}' is missing from {assembly.GetName().Name}.");
        var result = Read(stream);
        if (result.HasErrors)
        {
            var shown = string.Join("; ", result.Errors.Take(10).Select(e => $"{e.Field}: {e.Message}"));
            throw new InvalidOperationException(
                $"The bundled sample city has {result.Errors.Count} invalid feature(s): {shown}");
        }
        return result.City;
    }

    /// <summary>An unknown area is the reference's fault; a place outside every leaf area is the geometry's.</summary>
    private static string AreaField(string? named, string problem) =>
        named is not null && problem.StartsWith("Unknown", StringComparison.Ordinal) ? "properties.districtId" : "geometry";

    // ------------------------------------------------------------------ document level

    private static JsonElement GetFeatureArray(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Expected a GeoJSON FeatureCollection object at the root, got {Describe(root)}.");
        }
        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("Expected a GeoJSON FeatureCollection: the root has no \"type\" string.");
        }
        if (!type.ValueEquals("FeatureCollection"))
        {
            throw new FormatException($"Expected a GeoJSON FeatureCollection, got type \"{Truncate(type.GetString()!)}\".");
        }
        if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A GeoJSON FeatureCollection needs a \"features\" array.");
        }
        return features;
    }
}
