using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Domain;
using IocTwin.Model;
using static IocTwin.Api.NgsiLd.Sdm;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// Read-only Smart Data Models views of the twin's grains: sensors as Device plus an observation entity, road segments
/// as RoadSegment plus their live TrafficFlowObserved, districts as AdministrativeArea, alerts as Alert.
/// Units and ranges follow the models (occupancy 0–1, where the twin keeps percent).
/// </summary>
public static class SmartDataModels
{
    /// <summary>The observation type a sensor of that kind publishes, short name.</summary>
    public static string ObservationType(SensorKind kind) => kind.Id switch
    {
        "traffic-counter" or "speed-camera" => "TrafficFlowObserved",
        "air-quality" => "AirQualityObserved",
        "noise" => "NoiseLevelObserved",
        "water-level" => "FloodMonitoring",
        "streetlight" => "Streetlight",
        _ => "DeviceMeasurement",
    };

    /// <summary>Every observation type a sensor can publish, short names.</summary>
    public static readonly IReadOnlySet<string> ObservationTypes =
        SensorKind.Compiled.Select(ObservationType).ToHashSet(StringComparer.Ordinal);

    public static NgsiEntity Device(SensorView sensor)
    {
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Location] = NgsiAttribute.Geo(Point(sensor.Location.GetValueOrDefault())),
            [DeviceCategory] = NgsiAttribute.Property(new JsonArray("sensor")),
            [ControlledProperty] = NgsiAttribute.Property(new JsonArray([.. ControlledProperties(sensor.Kind).Select(p => (JsonNode)p)])),
            [DeviceState] = NgsiAttribute.Property(sensor.Health.ToString().ToLowerInvariant()),
            [AreaServed] = NgsiAttribute.Property(sensor.DistrictId),
            [Category] = NgsiAttribute.Property(SectorNames.Name(sensor.Sector)),
        };
        if (sensor.Name is { } name) attributes[Name] = NgsiAttribute.Property(name);
        if (sensor.LastSeen is { } seen) attributes[DateLastValueReported] = NgsiAttribute.DateTime(seen);
        if (sensor.SegmentId is { } segment) attributes[ControlledAsset] = NgsiAttribute.Relationship(NgsiLdFormat.Urn("RoadSegment", segment));
        return new NgsiEntity(NgsiLdFormat.Urn("Device", sensor.Id), Sdm.Device, attributes, sensor.DistrictId, sensor.Sector);
    }

    public static NgsiEntity Observation(SensorView sensor)
    {
        var type = ObservationType(sensor.Kind);
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Location] = NgsiAttribute.Geo(Point(sensor.Location.GetValueOrDefault())),
            [RefDevice] = NgsiAttribute.Relationship(NgsiLdFormat.Urn("Device", sensor.Id)),
        };
        if (sensor.SegmentId is { } segment && type == "TrafficFlowObserved")
        {
            attributes[RefRoadSegment] = NgsiAttribute.Relationship(NgsiLdFormat.Urn("RoadSegment", segment));
        }
        if (sensor.LastReading is { } reading)
        {
            attributes[DateObserved] = NgsiAttribute.DateTime(reading.Timestamp);
            AddValues(sensor.Kind, reading, attributes);
        }
        return new NgsiEntity(NgsiLdFormat.Urn(type, sensor.Id), Types[type], attributes, sensor.DistrictId, sensor.Sector)
        {
            History = new Temporal.HistorySource(sensor.Id, Kpis: false, ValuesOf(sensor.Kind)),
        };
    }

    /// <summary>
    /// A reading value as a model attribute: <see cref="Convert"/> writes it in the model's unit, <see cref="Inverse"/>
    /// reads an attribute value back into the twin's (null when it is not such a value).
    /// </summary>
    public sealed record ValueMapping(string Reading, string Attribute, string? Unit, Func<double, JsonNode>? Convert = null, Func<JsonNode, double?>? Inverse = null)
    {
        public double? ReadBack(JsonNode? value) =>
            value is null ? null : Inverse is not null ? Inverse(value) : value is JsonValue number && number.TryGetValue<double>(out var d) ? d : null;
    }

    /// <summary>The reading value an attribute (expanded name) of a sensor of that kind carries; null for any other attribute.</summary>
    public static ValueMapping? ReadingOf(SensorKind kind, string attribute) => ValuesOf(kind).FirstOrDefault(m => m.Attribute == attribute);

    /// <summary>The reading values a sensor of that kind publishes as attributes of its observation entity.</summary>
    public static IReadOnlyList<ValueMapping> ValuesOf(SensorKind kind) => Mappings.GetValueOrDefault(kind, []);

    private static double? Percent(JsonNode fraction) => fraction is JsonValue v && v.TryGetValue<double>(out var d) ? d * 100 : null;

    private static double? OnOff(JsonNode state) => state is JsonValue v && v.TryGetValue<string>(out var s) ? s switch { "on" => 1, "off" => 0, _ => null } : null;

    /// <summary>Which reading value becomes which model attribute, in which unit, for each kind of sensor.</summary>
    private static readonly Dictionary<SensorKind, ValueMapping[]> Mappings = new()
    {
        [SensorKind.TrafficCounter] =
        [
            new(ReadingNames.Flow, Intensity, null),
            new(ReadingNames.Speed, AverageVehicleSpeed, Units.KilometrePerHour),
            new(ReadingNames.Occupancy, Occupancy, Units.One, percent => JsonValue.Create(percent / 100), Percent),
        ],
        [SensorKind.SpeedCamera] = [new(ReadingNames.Speed, AverageVehicleSpeed, Units.KilometrePerHour)],
        [SensorKind.AirQuality] = [new(ReadingNames.Aqi, AirQualityIndex, null), new(ReadingNames.Pm25, Pm25, Units.MicrogramPerCubicMetre)],
        [SensorKind.Noise] = [new(ReadingNames.Noise, LAeq, Units.Decibel)],
        [SensorKind.WaterLevel] = [new(ReadingNames.Level, CurrentLevel, Units.Metre)],
        [SensorKind.Streetlight] =
        [
            new(ReadingNames.On, PowerState, null, on => JsonValue.Create(on > 0 ? "on" : "off"), OnOff),
            new(ReadingNames.Power, PowerConsumption, Units.Watt),
        ],
        [SensorKind.RainGauge] = [new(ReadingNames.Rainfall, NumValue, Units.MillimetrePerHour)],
        [SensorKind.WaterPressure] = [new(ReadingNames.Pressure, NumValue, Units.Bar)],
        [SensorKind.PeopleCounter] = [new(ReadingNames.Count, NumValue, Units.Person)],
    };

    private static void AddValues(SensorKind kind, Reading reading, Dictionary<string, NgsiAttribute> attributes)
    {
        foreach (var mapping in Mappings.GetValueOrDefault(kind, []))
        {
            if (reading.Values.TryGetValue(mapping.Reading, out var value))
            {
                attributes[mapping.Attribute] = NgsiAttribute.Property(mapping.Convert?.Invoke(value) ?? JsonValue.Create(value), reading.Timestamp, mapping.Unit);
            }
        }
        if (Types[ObservationType(kind)] == DeviceMeasurement)
        {
            attributes[ControlledProperty] = NgsiAttribute.Property(ControlledProperties(kind)[0]);
        }
    }

    private static string[] ControlledProperties(SensorKind kind) => kind.Id switch
    {
        "traffic-counter" => ["trafficFlow", "averageVehicleSpeed", "occupancy"],
        "speed-camera" => ["averageVehicleSpeed"],
        "air-quality" => ["airQuality", "pm25"],
        "noise" => ["noiseLevel"],
        "water-level" => ["waterLevel"],
        "rain-gauge" => ["precipitation"],
        "streetlight" => ["powerState", "powerConsumption"],
        "water-pressure" => ["pressure"],
        "people-counter" => ["peopleCount"],
        _ => [kind.Id],
    };

    public static NgsiEntity RoadSegmentOf(SegmentView segment)
    {
        var spec = segment.Spec!;
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Name] = NgsiAttribute.Property(spec.Name),
            [Location] = NgsiAttribute.Geo(Line(spec.Geometry)),
            [TotalLaneNumber] = NgsiAttribute.Property(spec.Lanes),
            [Length] = NgsiAttribute.Property(Math.Round(spec.LengthM, 1), unitCode: Units.Metre),
            [Status] = NgsiAttribute.Property(segment.Status.ToString().ToLowerInvariant()),
            [AreaServed] = NgsiAttribute.Property(spec.DistrictId),
        };
        if (spec.RoadClass is { } roadClass) attributes[RoadClass] = NgsiAttribute.Property(roadClass);
        return new NgsiEntity(NgsiLdFormat.Urn("RoadSegment", spec.Id), Sdm.RoadSegment, attributes, spec.DistrictId, Sector.Traffic);
    }

    /// <summary>The segment's live traffic, derived from its sensors.</summary>
    public static NgsiEntity SegmentTraffic(SegmentView segment)
    {
        var traffic = segment.Traffic;
        var at = traffic.AsOf;
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Location] = NgsiAttribute.Geo(Line(segment.Spec!.Geometry)),
            [RefRoadSegment] = NgsiAttribute.Relationship(NgsiLdFormat.Urn("RoadSegment", segment.Id)),
        };
        if (at is { } asOf) attributes[DateObserved] = NgsiAttribute.DateTime(asOf);
        if (traffic.FlowVph is { } flow) attributes[Intensity] = NgsiAttribute.Property(Math.Round(flow, 1), at);
        if (traffic.SpeedKmh is { } speed) attributes[AverageVehicleSpeed] = NgsiAttribute.Property(Math.Round(speed, 1), at, Units.KilometrePerHour);
        if (traffic.Occupancy is { } occupancy) attributes[Occupancy] = NgsiAttribute.Property(Math.Round(occupancy / 100, 4), at, Units.One);
        if (traffic.Los is { } los)
        {
            attributes[Sdm.LevelOfService] = NgsiAttribute.Property(los.ToString(), at);
            attributes[Congested] = NgsiAttribute.Property(los >= IocTwin.Model.LevelOfService.E, at);
        }
        return new NgsiEntity(NgsiLdFormat.Urn("TrafficFlowObserved", segment.Id), TrafficFlowObserved, attributes,
            segment.DistrictId, Sector.Traffic)
        {
            History = new Temporal.HistorySource(segment.Id, Kpis: true, SegmentKpis),
        };
    }

    /// <summary>
    /// The segment KPIs history keeps that are attributes of its live TrafficFlowObserved, in the same units as
    /// <see cref="SegmentTraffic"/> writes them (the level of service is kept as a number 1–6, not a model value).
    /// </summary>
    private static readonly ValueMapping[] SegmentKpis =
    [
        new("flowVph", Intensity, null),
        new("speedKmh", AverageVehicleSpeed, Units.KilometrePerHour),
        new("occupancy", Occupancy, Units.One, percent => JsonValue.Create(percent / 100), Percent),
    ];

    public static NgsiEntity AdministrativeAreaOf(DistrictView district)
    {
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Name] = NgsiAttribute.Property(district.Name),
            [Location] = NgsiAttribute.Geo(Polygon(district.Boundary ?? [])),
        };
        if (district.NameEn is { } english) attributes[AlternateName] = NgsiAttribute.Property(english);
        // Areas of every level are AdministrativeAreas: the kind (district, ward, commune ...) says which, and the
        // parent is the area that contains it.
        attributes[Category] = NgsiAttribute.Property(JsonValue.Create(district.Kind ?? "district")!);
        if (district.ParentId is { } parentId) attributes[ContainedInPlace] = NgsiAttribute.Relationship(NgsiLdFormat.Urn("AdministrativeArea", parentId));
        return new NgsiEntity(NgsiLdFormat.Urn("AdministrativeArea", district.Id), Sdm.AdministrativeArea, attributes, district.Id, null);
    }

    /// <param name="source">The alert's sensor or segment as an entity, for its id and location, when known.</param>
    public static NgsiEntity AlertOf(AlertView alert, NgsiEntity? source)
    {
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Category] = NgsiAttribute.Property(AlertCategory(alert.Sector)),
            [SubCategory] = NgsiAttribute.Property(alert.RuleName),
            [Severity] = NgsiAttribute.Property(alert.Severity switch { "critical" => "critical", "warning" => "medium", _ => "informational" }),
            [Description] = NgsiAttribute.Property($"{alert.RuleName}: {alert.Value:0.##}"),
            [DateIssued] = NgsiAttribute.DateTime(alert.RaisedAt),
            [ValidFrom] = NgsiAttribute.DateTime(alert.RaisedAt),
            [Status] = NgsiAttribute.Property(alert.State.ToString().ToLowerInvariant()),
            [AreaServed] = NgsiAttribute.Property(alert.DistrictId),
            [AlertSource] = NgsiAttribute.Property(source?.Id ?? alert.EntityId),
        };
        if (alert.ResolvedAt is { } resolved) attributes[ValidTo] = NgsiAttribute.DateTime(resolved);
        if (source?.Attributes.GetValueOrDefault(Location) is { } location) attributes[Location] = location;
        return new NgsiEntity(NgsiLdFormat.Urn("Alert", alert.Id), Sdm.Alert, attributes, alert.DistrictId, alert.Sector);
    }

    private static string AlertCategory(Sector sector) => sector.Id switch
    {
        "traffic" => "traffic",
        "flood" => "naturalDisaster",
        "public-safety" => "security",
        _ => "environment",
    };

    private static JsonArray Position(GeoPoint point) => [point.Lon, point.Lat];

    public static JsonObject Point(GeoPoint point) => new() { ["type"] = "Point", ["coordinates"] = Position(point) };

    private static JsonObject Line(IReadOnlyList<GeoPoint> points) =>
        new() { ["type"] = "LineString", ["coordinates"] = new JsonArray([.. points.Select(p => (JsonNode)Position(p))]) };

    private static JsonObject Polygon(IReadOnlyList<GeoPoint> boundary)
    {
        var ring = boundary.ToList();
        if (ring.Count > 0 && ring[0] != ring[^1])
        {
            ring.Add(ring[0]);
        }
        return new() { ["type"] = "Polygon", ["coordinates"] = new JsonArray(new JsonArray([.. ring.Select(p => (JsonNode)Position(p))])) };
    }
}
