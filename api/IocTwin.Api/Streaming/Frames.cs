using System.Text.Json.Serialization;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The changes of one scope since its previous frame, as the same records as its snapshot with only their live fields;
/// within a frame the latest value of each entity wins. Sequence numbers of a scope follow each other: a client that
/// sees a gap takes a new snapshot. <see cref="City"/> is the scope's total (the city's, or a sector's across the city).
/// <see cref="First"/> is set only on a frame that stands for several (the frames of a scope held for one client while
/// its snapshot was read and its parts written, merged): it covers every number from <see cref="First"/> to
/// <see cref="Sequence"/>, so the next frame follows <see cref="Sequence"/>.
/// </summary>
public sealed record DeltaFrame(
    string Scope, long Sequence, CityView? City, List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? First = null);

/// <summary>
/// Everything a scope covers now. Deltas with a sequence above <see cref="Sequence"/> follow it. <see cref="Assets"/>: the
/// moving assets a city, area or sector scope covered when it was subscribed (null for other scopes); "assets" frames
/// follow with every later move. <see cref="Parts"/>: how many "snapshot-part" frames bring the rest of the scope's
/// segments and sensors (0: <see cref="Segments"/> and <see cref="Sensors"/> hold them all); the scope is complete only
/// once the last has come.
/// </summary>
public sealed record ScopeSnapshot(
    string Scope, long Sequence, CityView? City, List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors,
    List<AlertView>? Alerts = null, List<AssetView>? Assets = null, int Parts = 0);

/// <summary>
/// Part <see cref="Part"/> of <see cref="Parts"/> of the segments and sensors of the snapshot of <see cref="Scope"/> at
/// <see cref="Sequence"/> beyond those of the answer, whole records as in the snapshot (either list may be empty). Every
/// part is queued ahead of the scope's deltas above that sequence; it may arrive before the Subscribe answer itself.
/// </summary>
public sealed record SnapshotPartFrame(string Scope, long Sequence, int Part, int Parts, List<SegmentView> Segments, List<SensorView> Sensors);

/// <summary>The server could not deliver every frame of a scope to this client: it must take a new snapshot.</summary>
public sealed record ResyncFrame(string Scope, string Reason);

public static class HubMethods
{
    public const string Delta = "delta";
    public const string Resync = "resync";
    public const string Alert = "alert";
    public const string Scenario = "scenario";
    public const string Assets = "assets";
    public const string Report = "report";
    public const string SnapshotPart = "snapshot-part";
}

/// <summary>Progress or completion of a scenario run, sent to the scope "scenario:{id}".</summary>
public sealed record ScenarioFrame(string Scope, ScenarioProgress Progress);

/// <summary>An alert raised, acknowledged or resolved, sent at once to every subscribed scope that covers its entity.</summary>
public sealed record AlertFrame(string Scope, AlertView Alert);

/// <summary>Moving assets of a scope since its previous frame: their latest positions, and the ids of those that left the scope.</summary>
public sealed record AssetsFrame(string Scope, List<AssetView> Assets, List<string> Left);

/// <summary>A citizen report filed or moved on, sent at once to every subscribed scope that covers it; never with the reporter's contact.</summary>
public sealed record ReportFrame(string Scope, ReportView Report);
