using IocTwin.Model;

namespace IocTwin.Grains;

// Arrays passed with [Immutable] are built for the one call and never changed by sender or receiver: a grain on the
// same silo gets them without a copy.

/// <summary>A physical sensor. Key: the sensor id.</summary>
public interface ISensorGrain : IGrainWithStringKey
{
    /// <summary>Registers or changes the sensor; persisted before it returns.</summary>
    Task<SensorView> Register(SensorSpec spec);

    Task<SensorView?> Get();

    /// <summary>
    /// Records readings, stored in history as <paramref name="batch"/> (none when not kept in history);
    /// a batch is applied once however often it arrives, and older readings than the latest never overwrite it.
    /// </summary>
    Task<RecordResult> Record([Immutable] Reading[] readings, HistoryBatch? batch = null);

    Task<bool> IsRegistered();
}

/// <summary>A road segment. Key: the segment id.</summary>
public interface IRoadSegmentGrain : IGrainWithStringKey
{
    Task<SegmentView> Register(SegmentSpec spec);

    Task<SegmentView?> Get();

    /// <summary>Adds a sensor to the segment (persisted at once) or refreshes its live values.</summary>
    Task AttachSensor(SensorSnapshot sensor);

    /// <summary>The latest live values of sensors of the segment; others are ignored.</summary>
    Task ReportSensors([Immutable] SensorSnapshot[] sensors);

    Task DetachSensor(string sensorId);
}

/// <summary>A district of the city. Key: the district id.</summary>
public interface IDistrictGrain : IGrainWithStringKey
{
    Task<DistrictView> Register(DistrictSpec spec);

    Task<DistrictView?> Get();

    Task<DistrictMembers> GetMembers();

    Task AttachSegment(SegmentSnapshot segment);

    /// <summary>The latest live state of segments of the district; others are ignored.</summary>
    Task ReportSegments([Immutable] SegmentSnapshot[] segments);

    Task DetachSegment(string segmentId);

    Task AttachSensor(SensorSnapshot sensor);

    /// <summary>The latest live values of sensors of the district that sit on no segment; others are ignored.</summary>
    Task ReportSensors([Immutable] SensorSnapshot[] sensors);

    Task DetachSensor(string sensorId);

    /// <summary>The district's open alerts and its recently resolved ones.</summary>
    Task<IReadOnlyList<AlertView>> GetAlerts();

    /// <summary>Acknowledges an open alert; null when the district has no such open alert.</summary>
    Task<AlertView?> AcknowledgeAlert(string alertId, string by);

    /// <summary>Resolves an open alert by hand; null when the district has no such open alert.</summary>
    Task<AlertView?> ResolveAlert(string alertId, string by);
}

/// <summary>The alert rules of the city, stored durably; the defaults until an operator changes them. Key 0.</summary>
public interface IAlertRulesGrain : IGrainWithIntegerKey
{
    Task<IReadOnlyList<AlertRule>> Get();

    Task<IReadOnlyList<AlertRule>> Put(AlertRule rule);

    Task<bool> Delete(string ruleId);
}

/// <summary>The whole city; one per deployment, key <see cref="CityGrainKey.Id"/>.</summary>
public interface ICityGrain : IGrainWithStringKey
{
    Task<CityView> Get();

    Task AttachDistrict(DistrictSnapshot district);

    Task ReportDistrict(DistrictSnapshot district);
}

public static class CityGrainKey
{
    public const string Id = "city";
}
