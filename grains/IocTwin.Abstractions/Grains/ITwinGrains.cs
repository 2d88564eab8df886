using IocTwin.Model;

namespace IocTwin.Grains;

// Arrays passed with [Immutable] are built for the one call and never changed by sender or receiver: a grain on the
// same silo gets them without a copy.
//
// Every grain method carries an [Alias], its name on the wire; without one Orleans names a method by a hash of its
// parameter types, and silos of two versions stop understanding each other's calls during a rolling upgrade when a
// type changes. Interfaces only grow: a changed call is a new method, and message types gain fields, never lose them.

/// <summary>A physical sensor. Key: the sensor id.</summary>
public interface ISensorGrain : IGrainWithStringKey
{
    /// <summary>Registers or changes the sensor; persisted before it returns.</summary>
    [Alias("Register")]
    Task<SensorView> Register(SensorSpec spec);

    [Alias("Get")]
    Task<SensorView?> Get();

    /// <summary>
    /// Records readings, stored in history as <paramref name="batch"/> (none when not kept in history);
    /// a batch is applied once however often it arrives, and older readings than the latest never overwrite it.
    /// A sensor not registered ignores them.
    /// </summary>
    [Alias("Record")]
    Task Record([Immutable] Reading[] readings, HistoryBatch? batch = null);

    [Alias("IsRegistered")]
    Task<bool> IsRegistered();
}

/// <summary>A road segment. Key: the segment id.</summary>
public interface IRoadSegmentGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task<SegmentView> Register(SegmentSpec spec);

    [Alias("Get")]
    Task<SegmentView?> Get();

    /// <summary>Adds a sensor to the segment (persisted at once) or refreshes its live values.</summary>
    [Alias("AttachSensor")]
    Task AttachSensor(SensorSnapshot sensor);

    /// <summary>The latest live values of sensors of the segment; others are ignored.</summary>
    [Alias("ReportSensors")]
    Task ReportSensors([Immutable] SensorSnapshot[] sensors);

    [Alias("DetachSensor")]
    Task DetachSensor(string sensorId);
}

/// <summary>A district of the city. Key: the district id.</summary>
public interface IDistrictGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task<DistrictView> Register(DistrictSpec spec);

    [Alias("Get")]
    Task<DistrictView?> Get();

    [Alias("GetMembers")]
    Task<DistrictMembers> GetMembers();

    [Alias("AttachSegment")]
    Task AttachSegment(SegmentSnapshot segment);

    /// <summary>The latest live state of segments of the district; others are ignored.</summary>
    [Alias("ReportSegments")]
    Task ReportSegments([Immutable] SegmentSnapshot[] segments);

    [Alias("DetachSegment")]
    Task DetachSegment(string segmentId);

    [Alias("AttachSensor")]
    Task AttachSensor(SensorSnapshot sensor);

    /// <summary>The latest live values of sensors of the district that sit on no segment; others are ignored.</summary>
    [Alias("ReportSensors")]
    Task ReportSensors([Immutable] SensorSnapshot[] sensors);

    [Alias("DetachSensor")]
    Task DetachSensor(string sensorId);

    /// <summary>The district's open alerts and its recently resolved ones.</summary>
    [Alias("GetAlerts")]
    Task<IReadOnlyList<AlertView>> GetAlerts();

    /// <summary>Acknowledges an open alert; null when the district has no such open alert.</summary>
    [Alias("AcknowledgeAlert")]
    Task<AlertView?> AcknowledgeAlert(string alertId, string by);

    /// <summary>Resolves an open alert by hand; null when the district has no such open alert.</summary>
    [Alias("ResolveAlert")]
    Task<AlertView?> ResolveAlert(string alertId, string by);
}

/// <summary>The alert rules of the city, stored durably; the defaults until an operator changes them. Key 0.</summary>
public interface IAlertRulesGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<IReadOnlyList<AlertRule>> Get();

    /// <summary>Adds or replaces the rule; null, changing nothing, when it is new and the city has <paramref name="maxRules"/> already.</summary>
    [Alias("TryPut")]
    Task<IReadOnlyList<AlertRule>?> TryPut(AlertRule rule, int maxRules);

    [Alias("Delete")]
    Task<bool> Delete(string ruleId);
}

/// <summary>The whole city; one per deployment, key <see cref="CityGrainKey.Id"/>.</summary>
public interface ICityGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CityView> Get();

    [Alias("AttachDistrict")]
    Task AttachDistrict(DistrictSnapshot district);

    [Alias("ReportDistrict")]
    Task ReportDistrict(DistrictSnapshot district);
}

public static class CityGrainKey
{
    public const string Id = "city";
}
