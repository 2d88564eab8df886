using IocTwin.Api.Access;
using IocTwin.Api.Apis;
using IocTwin.Api.Streaming.Shared;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The current state a scope covers. An area's, a sector's or the city's records are copied from what this process
/// holds (<see cref="HeldTwin"/>: as of the last update it received, the deltas after the snapshot bring the rest), so
/// that a subscriber does not wait for hundreds of grains that a busy feed keeps busy; so are the city's and sectors'
/// open alerts (every area's). An entity, the city record itself and the open alerts of an area or entity scope (a call
/// per area) are read from their grains. Ids the topology does not hold are answered without a grain call: a
/// subscription to a made-up id must not make a grain for it.
/// </summary>
public sealed class TwinSnapshots(IGrainFactory grains, KnownEntities known, HeldTwin held, IOptions<StreamingOptions> options)
{
    /// <summary>
    /// The scope's state and open alerts, as of the sequence the subscriber joined: a city or sector scope's records are
    /// those shared by its subscribers (<see cref="TakeHeldAsync"/>), its open alerts copied for each.
    /// </summary>
    public async Task<ScopeSnapshot> TakeAsync(TwinScope scope, ScopeJoin joined)
    {
        var key = scope.ToString();
        var sequence = joined.Sequence;
        switch (scope.Kind)
        {
            case ScopeKind.City or ScopeKind.Sector:
            {
                var records = await (joined.Held ?? TakeHeldAsync(scope, sequence));
                // Read after joining: an alert raised since comes as its own frame, so none is missed.
                var alerts = await OpenAlertsAsync(scope, records.AreaIds, asHeld: true);
                return new ScopeSnapshot(key, sequence, records.City, records.Districts, records.Segments, records.Sensors, alerts, joined.Assets);
            }
            case ScopeKind.District:
            {
                // A joint scope may name areas the twin does not hold (yet): the others are shown, no grain is woken.
                var districtIds = await KnownDistrictsAsync([.. scope.Covered]);
                // Read after joining, as a shared city's records are taken: what the held state lacks comes as deltas.
                var alerts = OpenAlertsAsync(scope, districtIds, asHeld: false);
                var views = await held.ReadAsync(districtIds);
                var districts = views.Districts.Select(scope.Sees).OfType<DistrictView>().ToList();
                return new ScopeSnapshot(key, sequence, scope.Total(districts, sequence), districts, views.Segments, views.Sensors,
                    await alerts, joined.Assets);
            }
            case ScopeKind.Entity:
            {
                var (segmentView, sensorView) = await EntityAsync(scope.Id!);
                var districtIds = new[] { segmentView?.DistrictId, sensorView?.DistrictId }.OfType<string>().Distinct().ToList();
                return new ScopeSnapshot(key, sequence, null, [], segmentView is null ? [] : [segmentView],
                    segmentView is null && sensorView is not null ? [sensorView] : [], await OpenAlertsAsync(scope, districtIds, asHeld: false));
            }
            default:
                return new ScopeSnapshot(key, sequence, null, [], [], [], []);
        }
    }

    /// <summary>
    /// A city or sector scope's records, copied from what this process holds: too many to read from their grains within a
    /// screen's patience, and the same for every subscriber, so shared by them.
    /// </summary>
    public async Task<HeldRecords> TakeHeldAsync(TwinScope scope, long sequence)
    {
        var city = scope.Kind == ScopeKind.City ? await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get() : null;
        // Every area's segments and sensors; the areas shown are those directly under the city.
        var districtIds = await LiveTopology.DistrictIdsAsync(grains);
        var views = await held.ReadAsync(districtIds);
        var districts = views.Districts.Select(scope.Sees).OfType<DistrictView>().ToList();
        // Segments and sensors in chunks that make whole parts, for a snapshot sent in parts (SnapshotParts).
        var segmentChunk = SharedList<SegmentView>.ChunkSizeFor(options.Value.SnapshotSegmentsPerFrame);
        var sensorChunk = SharedList<SensorView>.ChunkSizeFor(options.Value.SnapshotSensorsPerFrame);
        return scope.Kind == ScopeKind.City
            ? new HeldRecords(city, new(districts), new(views.Segments, segmentChunk), new(views.Sensors, sensorChunk), districtIds)
            : new HeldRecords(scope.Total(districts, sequence), new(districts), new(views.Segments.Where(scope.Covers), segmentChunk),
                new(views.Sensors.Where(scope.Covers), sensorChunk), districtIds);
    }

    /// <summary>
    /// The open alerts of these districts that a scope covers, newest first: read from their grains, or as held
    /// (<paramref name="asHeld"/>: every area's, too many calls for each subscriber), those of an area not held read.
    /// </summary>
    private async Task<List<AlertView>> OpenAlertsAsync(TwinScope scope, IEnumerable<string> districtIds, bool asHeld)
    {
        var (open, notHeld) = asHeld ? held.OpenAlerts(districtIds) : ([], [.. districtIds]);
        var read = await Task.WhenAll(notHeld.Select(id => grains.GetGrain<IDistrictGrain>(id).GetAlerts()));
        return [.. open.Concat(read.SelectMany(a => a)).Where(a => a.State != AlertState.Resolved && scope.Covers(a)).OrderByDescending(a => a.RaisedAt)];
    }

    /// <summary>An area scope covering what lies below its areas, the tree read again when it does not hold them yet.</summary>
    public async Task<TwinScope> WithAreasAsync(TwinScope scope) =>
        scope.Kind == ScopeKind.District ? scope.WithAreas(await known.AreasHoldingAsync(scope.DistrictIds)) : scope;

    /// <summary>Whether what a scope names exists: a district, or a scenario (entities are located below).</summary>
    public async Task<bool> ExistsAsync(TwinScope scope) => scope.Kind switch
    {
        // A district scope exists when any district it names does: an OC whose token names one district the twin does not
        // hold (not imported yet, merged, renamed) still sees the others.
        ScopeKind.District => (await KnownDistrictsAsync(scope.DistrictIds)).Count > 0,
        ScopeKind.Scenario => await FindScenarioAsync(scope.Id!) is not null,
        _ => true,
    };

    /// <summary>
    /// Where the entities of an id live and which sector they are, to check a caller's access: the segment and the sensor
    /// of that id, when both exist (ids registered before they were unique across kinds), since the scope covers both.
    /// Empty when unknown.
    /// </summary>
    public async Task<List<(string DistrictId, Sector Sector)>> LocateEntityAsync(string id)
    {
        // Access is decided on both kinds, whatever the known topology says of the other: it may predate a registration
        // of that kind.
        var (segment, sensor) = await EntityAsync(id, askBothKinds: true);
        List<(string, Sector)> found = [];
        if (segment is { } s) found.Add((s.DistrictId, Sector.Traffic));
        if (sensor is { } r) found.Add((r.DistrictId, r.Sector));
        return found;
    }

    /// <summary>
    /// The segment and the sensor of an id, read side by side. Nothing is asked for an id the topology does not hold;
    /// otherwise a grain is asked for each kind the id is known as, or for both kinds when asked to (the id is a real
    /// entity's, so that wakes at most one more grain per entity, never one per probe).
    /// </summary>
    private async Task<(SegmentView? Segment, SensorView? Sensor)> EntityAsync(string id, bool askBothKinds = false)
    {
        var (isSegment, isSensor) = await known.EntityKindsAsync(id);
        var anyKind = isSegment || isSensor;
        var segment = isSegment || (askBothKinds && anyKind) ? grains.GetGrain<IRoadSegmentGrain>(id).Get() : Task.FromResult<SegmentView?>(null);
        var sensor = isSensor || (askBothKinds && anyKind) ? grains.GetGrain<ISensorGrain>(id).Get() : Task.FromResult<SensorView?>(null);
        return (await segment, await sensor);
    }

    /// <summary>The districts of these ids the twin holds; an id it does not know wakes no grain.</summary>
    private async Task<List<string>> KnownDistrictsAsync(IReadOnlyList<string> ids)
    {
        List<string> found = [];
        foreach (var id in ids)
        {
            if (await known.ExistsAsync(EntityKind.District, id))
            {
                found.Add(id);
            }
        }
        return found;
    }

    /// <summary>The scenario and its creator, from the index (no scenario grain is woken for an unknown id); null when unknown.</summary>
    public Task<ScenarioEntry?> FindScenarioAsync(string id) => grains.GetGrain<IScenarioIndexGrain>(0).Find(id);
}
