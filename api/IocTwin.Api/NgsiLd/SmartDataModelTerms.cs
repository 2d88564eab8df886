namespace IocTwin.Api.NgsiLd;

/// <summary>
/// The expanded names (IRIs) of the Smart Data Models types and attributes the twin exposes, as the shipped context
/// smartdatamodels-context.jsonld defines them; core terms (location, name, status, ...) are the NGSI-LD core IRIs.
/// </summary>
public static class Sdm
{
    private const string Transportation = "https://smartdatamodels.org/dataModel.Transportation/";
    private const string Environment = "https://smartdatamodels.org/dataModel.Environment/";
    private const string DeviceModel = "https://smartdatamodels.org/dataModel.Device/";
    private const string Lighting = "https://smartdatamodels.org/dataModel.Streetlighting/";
    private const string Fiware = "https://uri.fiware.org/ns/dataModels#";
    private const string Core = "https://uri.etsi.org/ngsi-ld/";

    public const string AdministrativeArea = "https://smartdatamodels.org/dataModel.Administrative/AdministrativeArea";
    public const string AirQualityObserved = Environment + "AirQualityObserved";
    public const string Alert = "https://smartdatamodels.org/dataModel.Alert/Alert";
    public const string Device = DeviceModel + "Device";
    public const string DeviceMeasurement = DeviceModel + "DeviceMeasurement";
    public const string FloodMonitoring = Environment + "FloodMonitoring";
    public const string NoiseLevelObserved = Environment + "NoiseLevelObserved";
    public const string RoadSegment = Transportation + "RoadSegment";
    public const string Streetlight = Lighting + "Streetlight";
    public const string TrafficFlowObserved = Transportation + "TrafficFlowObserved";
    public const string Vehicle = Transportation + "Vehicle";

    public const string Location = Core + "location";
    public const string Name = Core + "name";
    public const string Status = Core + "status";
    public const string Description = "http://purl.org/dc/terms/description";
    public const string ObservedAt = Core + "observedAt";
    public const string UnitCode = Core + "unitCode";
    public const string CreatedAt = Core + "createdAt";
    public const string ModifiedAt = Core + "modifiedAt";

    public const string LAeq = Environment + "LAeq";
    public const string AirQualityIndex = Environment + "airQualityIndex";
    public const string AlertSource = Fiware + "alertSource";
    public const string AlternateName = "https://smartdatamodels.org/alternateName";
    public const string AreaServed = "https://smartdatamodels.org/areaServed";
    public const string AverageVehicleSpeed = Transportation + "averageVehicleSpeed";
    public const string Category = Fiware + "category";
    /// <summary>The place an entity lies in: an area's parent area.</summary>
    public const string ContainedInPlace = Fiware + "containedInPlace";
    public const string Congested = Transportation + "congested";
    public const string ControlledAsset = DeviceModel + "controlledAsset";
    public const string ControlledProperty = DeviceModel + "controlledProperty";
    public const string CurrentLevel = Environment + "currentLevel";
    public const string DateIssued = Fiware + "dateIssued";
    public const string DateLastValueReported = DeviceModel + "dateLastValueReported";
    public const string DateObserved = Fiware + "dateObserved";
    public const string DeviceCategory = DeviceModel + "deviceCategory";
    public const string DeviceState = DeviceModel + "deviceState";
    public const string Heading = Transportation + "heading";
    public const string Intensity = Transportation + "intensity";
    public const string Length = Transportation + "length";
    public const string LevelOfService = Transportation + "levelOfService";
    public const string NumValue = DeviceModel + "numValue";
    public const string Occupancy = Transportation + "occupancy";
    public const string Pm25 = Environment + "pm25";
    public const string PowerConsumption = Lighting + "powerConsumption";
    public const string PowerState = Lighting + "powerState";
    public const string RefDevice = Fiware + "refDevice";
    public const string RefRoadSegment = Transportation + "refRoadSegment";
    public const string RoadClass = Transportation + "roadClass";
    public const string ServiceStatus = Transportation + "serviceStatus";
    public const string Severity = Fiware + "severity";
    public const string Speed = Transportation + "speed";
    public const string SubCategory = Fiware + "subCategory";
    public const string TotalLaneNumber = Transportation + "totalLaneNumber";
    public const string ValidFrom = Fiware + "validFrom";
    public const string ValidTo = Fiware + "validTo";
    public const string VehicleType = Transportation + "vehicleType";

    /// <summary>Short type name (as in ids urn:ngsi-ld:&lt;Type&gt;:&lt;id&gt;) → expanded type.</summary>
    public static readonly IReadOnlyDictionary<string, string> Types = new Dictionary<string, string>
    {
        ["AdministrativeArea"] = AdministrativeArea,
        ["AirQualityObserved"] = AirQualityObserved,
        ["Alert"] = Alert,
        ["Device"] = Device,
        ["DeviceMeasurement"] = DeviceMeasurement,
        ["FloodMonitoring"] = FloodMonitoring,
        ["NoiseLevelObserved"] = NoiseLevelObserved,
        ["RoadSegment"] = RoadSegment,
        ["Streetlight"] = Streetlight,
        ["TrafficFlowObserved"] = TrafficFlowObserved,
        ["Vehicle"] = Vehicle,
    };

    /// <summary>UN/CEFACT common codes of the units the twin's readings carry.</summary>
    public static class Units
    {
        public const string KilometrePerHour = "KMH";
        public const string One = "C62";
        public const string Percent = "P1";
        public const string MicrogramPerCubicMetre = "GQ";
        public const string Decibel = "2N";
        public const string Metre = "MTR";
        public const string Watt = "WTT";
        public const string Bar = "BAR";
        public const string MillimetrePerHour = "H67";
        public const string Person = "IE";
    }
}
