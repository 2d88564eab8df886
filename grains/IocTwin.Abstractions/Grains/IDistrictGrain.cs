using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// An administrative area of the city at any level (district, ward, commune ...). Key: the area id. A leaf area holds
/// segments and sensors; an area with children rolls their KPIs up and reports to its parent, or to the city when it is
/// directly under it. The interface keeps its name from when districts were the only level (and so does the grain's
/// stored state).
/// </summary>
public interface IDistrictGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task<DistrictView> Register(DistrictSpec spec);

    [Alias("Get")]
    Task<DistrictView?> Get();

    [Alias("GetMembers")]
    Task<DistrictMembers> GetMembers();

    /// <summary>
    /// The area's members unless they are still those of <paramref name="held"/>: a reader that keeps every area's members
    /// reads again only the areas that changed.
    /// </summary>
    [Alias("GetMembersSince")]
    Task<MembersRead> GetMembersSince(MembersVersion? held);

    [Alias("AttachSegment")]
    Task AttachSegment(SegmentSnapshot segment);

    /// <summary>The latest live state of segments of the district; others are ignored.</summary>
    [Alias("ReportSegments")]
    Task ReportSegments([Immutable] SegmentSnapshot[] segments);

    [Alias("DetachSegment")]
    Task DetachSegment(string segmentId);

    [Alias("AttachSensor")]
    Task AttachSensor(SensorSnapshot sensor);

    /// <summary>Takes in many segments and sensors at once (an import's batch), stored in one write before it answers.</summary>
    [Alias("AttachMembers")]
    Task AttachMembers([Immutable] SegmentSnapshot[] segments, [Immutable] SensorSnapshot[] sensors);

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

    /// <summary>
    /// Opens an alert raised outside the area's own rules (a geofence) under <see cref="RaisedAlert.Key"/>; the open alert
    /// already under that key when there is one.
    /// </summary>
    [Alias("RaiseAlert")]
    Task<AlertView> RaiseAlert(RaisedAlert alert);

    /// <summary>Resolves, as the system, the open alert under the key; null when none is open (an operator resolved it).</summary>
    [Alias("ClearAlert")]
    Task<AlertView?> ClearAlert(string key);

    /// <summary>Takes a child area in (or its new snapshot); it is counted in this area's KPIs from now on.</summary>
    [Alias("AttachChild")]
    Task AttachChild(DistrictSnapshot child);

    /// <summary>The latest KPIs of a child area; ignored when it is not (or no longer) a child.</summary>
    [Alias("ReportChild")]
    Task ReportChild(DistrictSnapshot child);

    [Alias("DetachChild")]
    Task DetachChild(string childId);

    /// <summary>Counts an open citizen report of this area in its KPIs (open, and overdue once past its deadline); stored at once.</summary>
    [Alias("TrackReport")]
    Task TrackReport(OpenReport report);

    /// <summary>
    /// A moving asset entered the area from outside it, or left it for outside it (a move between two of its children is
    /// neither); counted in its KPIs.
    /// </summary>
    [Alias("CountAssetMove")]
    Task CountAssetMove(bool entered);

    /// <summary>The report was resolved or rejected: no longer counted.</summary>
    [Alias("UntrackReport")]
    Task UntrackReport(string reportId);
}
