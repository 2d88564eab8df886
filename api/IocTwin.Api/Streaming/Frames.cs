using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>A sensor as screens receive it in a delta: live values and health, with its reading count as version.</summary>
public sealed record LiveSensor(
    string Id, string DistrictId, string? SegmentId, SensorKind Kind, Sector Sector, DateTimeOffset? LastSeen,
    Dictionary<string, double> Values, SensorHealth Health, long Version);

public sealed record LiveDistrict(string Id, string Name, DistrictKpis Kpis, long Version);

/// <summary>
/// The changes of one scope since its previous frame; within a frame the latest value of each entity wins.
/// Sequence numbers of a scope follow each other: a client that sees a gap takes a new snapshot.
/// </summary>
public sealed record DeltaFrame(
    string Scope, long Sequence, DistrictKpis? City, List<LiveDistrict> Districts, List<SegmentLive> Segments, List<LiveSensor> Sensors);

/// <summary>Everything a scope covers now. Deltas with a sequence above <see cref="Sequence"/> follow it.</summary>
public sealed record ScopeSnapshot(
    string Scope, long Sequence, CityView? City, List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors,
    List<AlertView>? Alerts = null);

/// <summary>The server could not deliver every frame of a scope to this client: it must take a new snapshot.</summary>
public sealed record ResyncFrame(string Scope, string Reason);

public static class HubMethods
{
    public const string Delta = "delta";
    public const string Resync = "resync";
    public const string Alert = "alert";
    public const string Scenario = "scenario";
}

/// <summary>Progress or completion of a scenario run, sent to the scope "scenario:{id}".</summary>
public sealed record ScenarioFrame(string Scope, ScenarioProgress Progress);

/// <summary>An alert raised, acknowledged or resolved, sent at once to every subscribed scope that covers its entity.</summary>
public sealed record AlertFrame(string Scope, AlertView Alert);
