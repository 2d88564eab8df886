using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>The outcome of a city import: what was accepted, and every feature that was left out and why.</summary>
public sealed record CityImportResult(CitySpec City, IReadOnlyList<ImportError> Errors)
{
    public bool HasErrors => Errors.Count > 0;
}

/// <summary>
/// A problem with one feature of an import. <see cref="Field"/> is a path into the document such as
/// <c>features[3].properties.kind</c> or <c>features[3].geometry</c>.
/// </summary>
public sealed record ImportError(int FeatureIndex, string? Id, string Field, string Message);

/// <summary>
/// Reads a city topology from a GeoJSON FeatureCollection (RFC 7946, WGS84 [lon, lat] positions).
/// </summary>
/// <remarks>
/// <para>Each feature carries <c>properties.type</c>, one of <c>district</c> (Polygon), <c>segment</c> (LineString)
/// or <c>sensor</c> (Point), and an <c>id</c> of at most 128 characters from <c>[A-Za-z0-9._:-]</c>, unique in the file.</para>
/// <para>District: <c>name</c>, optional <c>nameEn</c>. Segment: <c>districtId</c>, <c>fromNode</c>, <c>toNode</c> and
/// optional <c>name</c>, <c>lanes</c> (1..12, default 2), <c>capacityVph</c> (&gt; 0, default lanes × the per-lane capacity
/// of the road class), <c>freeFlowSpeedKmh</c> (5..150, default by road class), <c>roadClass</c>, <c>oneWay</c>
/// (default false), <c>status</c> (default open) and <c>lengthM</c> (default: the length of the line).
/// Sensor: <c>kind</c>, <c>districtId</c> and optional <c>sector</c> (default: the kind's usual sector),
/// <c>segmentId</c> and <c>name</c>; a sensor on a segment belongs to that segment's district, so its
/// <c>districtId</c> may be left out when the segment is in the same file, and must match it when given. Enumerations are written in kebab-case (<c>traffic-counter</c>) and read
/// case-insensitively.</para>
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

    private static readonly string[] RoadClassNames = ["expressway", "arterial", "collector", "local", "bridge", "tunnel", "ramp"];

    /// <summary>Road classes a segment may declare.</summary>
    public static IReadOnlySet<string> RoadClasses { get; } = RoadClassNames.ToFrozenSet(StringComparer.Ordinal);

    private const int DefaultLanes = 2;

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
        var candidates = new List<Candidate>();
        var index = 0;
        foreach (var feature in features.EnumerateArray())
        {
            var context = new FeatureContext(index, errors);
            var candidate = ParseFeature(feature, context);
            if (candidate is not null && !context.Failed)
            {
                candidates.Add(candidate);
            }
            index++;
        }

        // Ids are unique across the whole file; the first acceptable feature keeps its id.
        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<Candidate>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (firstUse.TryGetValue(candidate.Id, out var first))
            {
                errors.Add(new ImportError(candidate.Index, candidate.Id, Path(candidate.Index, "properties.id"),
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
                errors.Add(new ImportError(candidate.Index, candidate.Id, Path(candidate.Index, "properties.id"),
                    $"Id '{candidate.Id}' is already a {takenBy} of the twin."));
                continue;
            }
            firstUse.Add(candidate.Id, candidate.Index);
            unique.Add(candidate);
        }

        var districts = new List<DistrictSpec>();
        var districtIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var district in unique.OfType<DistrictCandidate>())
        {
            districts.Add(district.Spec);
            districtIds.Add(district.Id);
        }

        bool IsKnownDistrict(string id) => districtIds.Contains(id) || (knownDistrictIds?.Contains(id) ?? false);

        var segments = new List<SegmentSpec>();
        var segmentDistricts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var segment in unique.OfType<SegmentCandidate>())
        {
            if (!IsKnownDistrict(segment.Spec.DistrictId))
            {
                errors.Add(new ImportError(segment.Index, segment.Id, Path(segment.Index, "properties.districtId"),
                    $"Unknown district '{segment.Spec.DistrictId}'."));
                continue;
            }
            segments.Add(segment.Spec);
            segmentDistricts.Add(segment.Id, segment.Spec.DistrictId);
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
                    // A sensor on a segment belongs to the segment's district.
                    if (districtId is null)
                    {
                        districtId = segmentDistrict;
                    }
                    else if (districtId != segmentDistrict)
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
            if (districtId is not null && !IsKnownDistrict(districtId))
            {
                ctx.Error("properties.districtId", $"Unknown district '{districtId}'.");
            }
            if (ctx.Failed || districtId is null)
            {
                continue;
            }

            var spec = sensor.Spec with { DistrictId = districtId };
            if (PassesRules(TopologyRules.Validate(spec), ctx, lengthGiven: false))
            {
                sensors.Add(spec);
            }
        }

        var city = new CitySpec(cityId, cityName, districts.ToArray(), segments.ToArray(), sensors.ToArray());
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

    // ------------------------------------------------------------------ features

    private abstract record Candidate(int Index, string Id);

    private sealed record DistrictCandidate(int Index, string Id, DistrictSpec Spec) : Candidate(Index, Id);

    private sealed record SegmentCandidate(int Index, string Id, SegmentSpec Spec) : Candidate(Index, Id);

    /// <summary>A sensor whose district may still come from its segment; <see cref="Spec"/> holds an empty district until then.</summary>
    private sealed record SensorCandidate(int Index, string Id, SensorSpec Spec, string? DistrictId) : Candidate(Index, Id);

    private sealed class FeatureContext(int index, List<ImportError> errors)
    {
        public int Index { get; } = index;
        public string? Id { get; set; }
        public bool Failed { get; private set; }

        public void Error(string field, string message)
        {
            errors.Add(new ImportError(Index, Id, Path(Index, field), message));
            Failed = true;
        }
    }

    private static Candidate? ParseFeature(JsonElement feature, FeatureContext ctx)
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
            ctx.Error("properties.type", "Missing \"type\": expected district, segment or sensor.");
            return null;
        }

        var kind = kindElement.GetString()!;
        if (kind.Equals("district", StringComparison.OrdinalIgnoreCase))
        {
            return ParseDistrict(feature, props, id, ctx);
        }
        if (kind.Equals("segment", StringComparison.OrdinalIgnoreCase))
        {
            return ParseSegment(feature, props, id, ctx);
        }
        if (kind.Equals("sensor", StringComparison.OrdinalIgnoreCase))
        {
            return ParseSensor(feature, props, id, ctx);
        }

        ctx.Error("properties.type", $"Unknown feature type '{Truncate(kind)}': expected district, segment or sensor.");
        return null;
    }

    private static DistrictCandidate? ParseDistrict(JsonElement feature, JsonElement props, string? id, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        var nameEn = OptionalString(props, "nameEn", ctx);
        var boundary = ReadPolygon(feature, ctx);
        if (id is null || boundary is null || ctx.Failed)
        {
            return null;
        }
        var spec = new DistrictSpec(id, string.IsNullOrWhiteSpace(name) ? id : name, nameEn, boundary);
        return PassesRules(TopologyRules.Validate(spec), ctx, lengthGiven: false) ? new DistrictCandidate(ctx.Index, id, spec) : null;
    }

    private static SegmentCandidate? ParseSegment(JsonElement feature, JsonElement props, string? id, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        var districtId = RequiredReference(props, "districtId", ctx);
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
            if (!RoadClasses.Contains(normalized))
            {
                ctx.Error("properties.roadClass",
                    $"Unknown road class '{Truncate(roadClass)}': expected one of {string.Join(", ", RoadClassNames)}.");
            }
            roadClass = normalized;
        }

        var lanes = OptionalInteger(props, "lanes", 1, MaxLanes, ctx) ?? DefaultLanes;
        var capacity = OptionalNumber(props, "capacityVph", ctx, min: 0, minExclusive: true);
        var speed = OptionalNumber(props, "freeFlowSpeedKmh", ctx, min: MinFreeFlowSpeedKmh, max: MaxFreeFlowSpeedKmh);
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
        if (id is null || districtId is null || fromNode is null || toNode is null || geometry is null || ctx.Failed)
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
            districtId,
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
        return PassesRules(TopologyRules.Validate(spec), ctx, lengthGiven: lengthM is not null)
            ? new SegmentCandidate(ctx.Index, id, spec)
            : null;
    }

    private static SensorCandidate? ParseSensor(JsonElement feature, JsonElement props, string? id, FeatureContext ctx)
    {
        var name = OptionalString(props, "name", ctx);
        SensorKind? kind = null;
        if (!props.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind == JsonValueKind.Null)
        {
            ctx.Error("properties.kind", $"Missing sensor kind: expected {EnumText<SensorKind>.Expected}.");
        }
        else if (kindElement.ValueKind != JsonValueKind.String)
        {
            ctx.Error("properties.kind", $"Expected a string, got {Describe(kindElement)}.");
        }
        else if (EnumText<SensorKind>.TryParse(kindElement.GetString()!, out var parsedKind))
        {
            kind = parsedKind;
        }
        else
        {
            ctx.Error("properties.kind",
                $"Unknown sensor kind '{Truncate(kindElement.GetString()!)}': expected {EnumText<SensorKind>.Expected}.");
        }

        Sector? sector = null;
        if (OptionalString(props, "sector", ctx) is { } sectorText)
        {
            if (EnumText<Sector>.TryParse(sectorText, out var parsedSector))
            {
                sector = parsedSector;
            }
            else
            {
                ctx.Error("properties.sector", $"Unknown sector '{Truncate(sectorText)}': expected {EnumText<Sector>.Expected}.");
            }
        }

        string? segmentId = null;
        var hasSegment = props.TryGetProperty("segmentId", out var segmentElement) && segmentElement.ValueKind != JsonValueKind.Null;
        if (hasSegment)
        {
            segmentId = ReadIdValue(segmentElement, "properties.segmentId", ctx);
        }
        // On a segment the district may be left out: it is the segment's.
        string? districtId = null;
        if (!hasSegment || (props.TryGetProperty("districtId", out var districtElement) && districtElement.ValueKind != JsonValueKind.Null))
        {
            districtId = RequiredReference(props, "districtId", ctx);
        }

        var location = ReadPoint(feature, ctx);
        if (id is null || kind is null || location is null || ctx.Failed)
        {
            return null;
        }

        var spec = new SensorSpec(id, kind.Value, sector ?? DefaultSector(kind.Value), location.Value, "", segmentId,
            string.IsNullOrWhiteSpace(name) ? null : name);
        return new SensorCandidate(ctx.Index, id, spec, districtId);
    }

    /// <summary>The sector that usually owns a sensor kind's data.</summary>
    public static Sector DefaultSector(SensorKind kind) => kind switch
    {
        SensorKind.TrafficCounter or SensorKind.SpeedCamera => Sector.Traffic,
        SensorKind.AirQuality or SensorKind.Noise => Sector.Environment,
        SensorKind.WaterLevel or SensorKind.RainGauge => Sector.Flood,
        SensorKind.Streetlight => Sector.Lighting,
        SensorKind.WaterPressure => Sector.Water,
        SensorKind.PeopleCounter => Sector.PublicSafety,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

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

    /// <summary>
    /// The rules every topology entity obeys however it arrives; most are already checked field by field above,
    /// the rest (name and length limits, capacity ceiling) are reported here against the feature's field.
    /// </summary>
    private static bool PassesRules(IEnumerable<(string Field, string Message)> problems, FeatureContext ctx, bool lengthGiven)
    {
        var ok = true;
        foreach (var (field, message) in problems)
        {
            var path = field switch
            {
                "boundary" or "geometry" or "location" => "geometry",
                "lengthM" when !lengthGiven => "geometry",
                _ => "properties." + field,
            };
            ctx.Error(path, field == "lengthM" && !lengthGiven ? $"The length of the line {message}." : $"{field} {message}.");
            ok = false;
        }
        return ok;
    }

    // ------------------------------------------------------------------ properties

    private static string? ReadId(JsonElement feature, JsonElement props, FeatureContext ctx)
    {
        if (!props.TryGetProperty("id", out var idElement) || idElement.ValueKind == JsonValueKind.Null)
        {
            // GeoJSON also allows the id on the feature itself.
            if (!feature.TryGetProperty("id", out idElement) || idElement.ValueKind == JsonValueKind.Null)
            {
                ctx.Error("properties.id", "Missing id.");
                return null;
            }
        }

        if (idElement.ValueKind == JsonValueKind.String)
        {
            ctx.Id = Truncate(idElement.GetString()!);
        }
        return ReadIdValue(idElement, "properties.id", ctx);
    }

    private static string? TopLevelId(JsonElement feature) =>
        feature.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? Truncate(id.GetString()!) : null;

    private static string? RequiredReference(JsonElement props, string name, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            ctx.Error("properties." + name, $"Missing \"{name}\".");
            return null;
        }
        return ReadIdValue(element, "properties." + name, ctx);
    }

    private static string? ReadIdValue(JsonElement element, string field, FeatureContext ctx)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            ctx.Error(field, $"Expected an id string, got {Describe(element)}.");
            return null;
        }
        var value = element.GetString()!;
        if (!IsValidId(value, out var problem))
        {
            ctx.Error(field, problem);
            return null;
        }
        return value;
    }

    private static bool IsValidId(string? id, out string problem)
    {
        if (string.IsNullOrEmpty(id))
        {
            problem = "The id is empty.";
            return false;
        }
        if (id.Length > MaxIdLength)
        {
            problem = $"The id is {id.Length} characters long; at most {MaxIdLength} are allowed.";
            return false;
        }
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or ':' or '-'))
            {
                problem = $"The id '{id}' contains '{c}'; only letters A-Z a-z, digits and . _ : - are allowed.";
                return false;
            }
        }
        problem = "";
        return true;
    }

    private static string? OptionalString(JsonElement props, string name, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            ctx.Error("properties." + name, $"Expected a string, got {Describe(element)}.");
            return null;
        }
        return element.GetString();
    }

    private static bool? OptionalBool(JsonElement props, string name, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }
        ctx.Error("properties." + name, $"Expected true or false, got {Describe(element)}.");
        return null;
    }

    private static int? OptionalInteger(JsonElement props, string name, int min, int max, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) ||
            !double.IsFinite(value) || value != Math.Floor(value))
        {
            ctx.Error("properties." + name, $"Expected a whole number from {min} to {max}, got {Describe(element)}.");
            return null;
        }
        if (value < min || value > max)
        {
            ctx.Error("properties." + name, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range: expected {min} to {max}.");
            return null;
        }
        return (int)value;
    }

    private static double? OptionalNumber(JsonElement props, string name, FeatureContext ctx,
        double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool minExclusive = false)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            ctx.Error("properties." + name, $"Expected a finite number, got {Describe(element)}.");
            return null;
        }
        var tooLow = minExclusive ? value <= min : value < min;
        if (tooLow || value > max)
        {
            var lower = minExclusive ? $"greater than {Format(min)}" : $"at least {Format(min)}";
            var range = double.IsPositiveInfinity(max) ? lower : $"{lower} and at most {Format(max)}";
            ctx.Error("properties." + name, $"{Format(value)} is out of range: expected a number {range}.");
            return null;
        }
        return value;
    }

    // ------------------------------------------------------------------ geometry

    private static bool TryGetGeometry(JsonElement feature, string expectedType, string featureKind, FeatureContext ctx,
        out JsonElement coordinates)
    {
        coordinates = default;
        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            ctx.Error("geometry", $"A {featureKind} needs a {expectedType} geometry.");
            return false;
        }
        if (!geometry.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            ctx.Error("geometry", $"The geometry has no \"type\"; a {featureKind} needs a {expectedType}.");
            return false;
        }
        if (!type.ValueEquals(expectedType))
        {
            ctx.Error("geometry", $"A {featureKind} needs a {expectedType} geometry, got {Truncate(type.GetString()!)}.");
            return false;
        }
        if (!geometry.TryGetProperty("coordinates", out coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            ctx.Error("geometry.coordinates", $"A {expectedType} needs a \"coordinates\" array.");
            return false;
        }
        return true;
    }

    private static GeoPoint? ReadPoint(JsonElement feature, FeatureContext ctx)
    {
        if (!TryGetGeometry(feature, "Point", "sensor", ctx, out var coordinates))
        {
            return null;
        }
        return ReadPosition(coordinates, "geometry.coordinates", ctx);
    }

    private static GeoPoint[]? ReadLineString(JsonElement feature, FeatureContext ctx)
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

    private static GeoPoint[]? ReadPolygon(JsonElement feature, FeatureContext ctx)
    {
        if (!TryGetGeometry(feature, "Polygon", "district", ctx, out var rings))
        {
            return null;
        }
        if (rings.GetArrayLength() == 0)
        {
            ctx.Error("geometry.coordinates", "A Polygon needs an outer ring.");
            return null;
        }

        GeoPoint[]? outer = null;
        var r = 0;
        foreach (var ring in rings.EnumerateArray())
        {
            var field = $"geometry.coordinates[{r}]";
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

    private static GeoPoint[]? ReadPositions(JsonElement array, string field, FeatureContext ctx)
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

    private static GeoPoint? ReadPosition(JsonElement position, string field, FeatureContext ctx)
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

    // ------------------------------------------------------------------ helpers

    private static string Path(int index, string field) =>
        field.Length == 0 ? $"features[{index}]" : $"features[{index}].{field}";

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Truncate(string value) =>
        value.Length <= MaxIdLength ? value : string.Concat(value.AsSpan(0, MaxIdLength), "…");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        JsonValueKind.String => $"the string \"{Truncate(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    /// <summary>Kebab-case names of an enumeration ("traffic-counter"), read case-insensitively.</summary>
    private static class EnumText<T> where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByName = Build();

        public static string Expected { get; } = string.Join(", ", Enum.GetValues<T>().Select(v => ToKebab(v.ToString())));

        public static bool TryParse(string text, out T value) =>
            ByName.TryGetValue(text.Trim().Replace('_', '-'), out value);

        private static Dictionary<string, T> Build()
        {
            var map = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
            foreach (var value in Enum.GetValues<T>())
            {
                var name = value.ToString();
                map[ToKebab(name)] = value;
                map[name] = value;
            }
            return map;
        }

        private static string ToKebab(string name)
        {
            var builder = new StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                if (char.IsUpper(c) && i > 0)
                {
                    builder.Append('-');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            return builder.ToString();
        }
    }
}
