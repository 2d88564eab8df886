using System.Diagnostics;
using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.Extensions.Options;

namespace IocTwin.Grains;

/// <summary>
/// An area of any level: a leaf holds segments and sensors (and raises their alerts), an area with children rolls
/// theirs up; each reports to its parent area, or to the city. The grain type stays "district", the one level there
/// was, so areas stored then load as districts under the city.
/// </summary>
public sealed class DistrictGrain(
    [PersistentState("district", TwinStorage.Name)] IPersistentState<DistrictState> state,
    IOptions<TwinOptions> options,
    TimeProvider time,
    WriteBehindSchedule writeBehind,
    AreaReportPacing pacing) : Grain, IDistrictGrain, IWritesBehind
{
    private DebouncedAction _report = null!;
    private StateWriteBehind _persist = null!;
    private DebouncedAction _evaluateAlerts = null!;
    private DistrictKpis? _lastReported;
    private ITwinPublisher? _publisher;
    private ICityGrain? _city;
    private IDistrictGrain? _parent;

    // What changed since the last update pushed to screens.
    private readonly AreaChanges _changes = new(time);
    private readonly List<AlertView> _changedAlerts = [];
    private AreaServices Services => new(state.State);
    private IReadOnlyList<AlertRule> _rules = [];

    // The key is decoded into a new string at each GetPrimaryKeyString; every live change carries the district id.
    private string? _id;
    private string DistrictId => _id ??= this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is { } stored)
        {
            // Stored before areas had kinds: a district.
            state.State.Spec = stored with { Kind = AreaKinds.OrDistrict(stored.Kind) };
        }
        _rules = await GrainFactory.GetGrain<IAlertRulesGrain>(0).Get();
        _report = new DebouncedAction(this, ReportDelay, ReportUpAsync);
        _persist = new StateWriteBehind(GrainContext, writeBehind, state);
        _evaluateAlerts = new DebouncedAction(this, options.Value.AlertDelay, async () =>
        {
            if (await EvaluateAlertsAsync())
            {
                _report.Schedule();
            }
        });
        // What the saved state last told the city; a refresh reports only what time alone has changed since.
        _lastReported = Kpis();
        _changes.RememberHealth(state.State);
        // Sensor health changes with time alone; re-evaluate so the city sees sensors going stale.
        this.RegisterGrainTimer(
            _ => RefreshHealthAsync(),
            new GrainTimerCreationOptions(options.Value.HealthRefresh, options.Value.HealthRefresh));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // State first: a deactivating parent (as when a silo shuts down) must not hold up saving it.
        await _persist.FlushAsync();
        _report.FlushAsync().Ignore();
    }

    // The silo's write-behind schedule calls one of these when the write is due (TwinOptions.InterleaveWriteBehind).
    public Task WriteBehind() => _persist.RunAsync();

    public Task WriteBehindInterleaved() => _persist.RunAsync();

    public async Task<DistrictView> Register(DistrictSpec spec)
    {
        var registered = spec with { Id = DistrictId, Kind = AreaKinds.OrDistrict(spec.Kind) };
        var previousParent = state.State.Spec?.ParentId;
        var wasRegistered = state.State.Spec is not null;
        state.State.Spec = registered;
        state.State.Version++;
        _parent = null;
        await state.WriteStateAsync();
        if (wasRegistered && previousParent is not null && previousParent != registered.ParentId)
        {
            // Moved: its KPIs leave the old parent (and every area above it) as they join the new one's.
            await GrainFactory.GetGrain<IDistrictGrain>(previousParent).DetachChild(registered.Id);
        }
        var snapshot = Snapshot(registered, AllKpis());
        // The city keeps the tree (and counts areas directly under it); a parent area counts its children.
        await GrainFactory.GetGrain<ICityGrain>(CityGrainKey.Id).AttachDistrict(snapshot);
        if (registered.ParentId is { } parentId)
        {
            await GrainFactory.GetGrain<IDistrictGrain>(parentId).AttachChild(snapshot);
        }
        return View(registered);
    }

    public Task<DistrictView?> Get() => Task.FromResult(state.State.Spec is { } spec ? View(spec) : null);

    public Task<DistrictMembers> GetMembers() => Task.FromResult(Members());

    public Task<MembersRead> GetMembersSince(MembersVersion? held) =>
        Task.FromResult(held == _membersVersion ? new MembersRead(_membersVersion, null) : new MembersRead(_membersVersion, Members()));

    // Built when asked and kept until the members change: every import, and every API process's topology read, asks
    // each area for its members.
    private DistrictMembers? _members;
    private MembersVersion _membersVersion = new(Guid.NewGuid(), 0);

    private DistrictMembers Members()
    {
        if (_members is { } kept)
        {
            return kept;
        }
        var segmentIds = new List<string>(state.State.Segments.Keys);
        segmentIds.Sort(StringComparer.Ordinal);
        // A set: a sensor may sit in two places for a moment (its old segment's snapshot arriving after it moved on).
        var distinct = new HashSet<string>(state.State.Sensors.Keys, StringComparer.Ordinal);
        foreach (var segment in state.State.Segments.Values)
        {
            foreach (var sensor in segment.Sensors)
            {
                distinct.Add(sensor.SensorId);
            }
        }
        List<string> sensorIds = [.. distinct];
        sensorIds.Sort(StringComparer.Ordinal);
        return _members = new DistrictMembers(segmentIds, sensorIds);
    }

    private void MembersChanged()
    {
        _members = null;
        _membersVersion = _membersVersion with { Changes = _membersVersion.Changes + 1 };
    }

    public Task AttachSegment(SegmentSnapshot segment)
    {
        var previous = state.State.Segments.GetValueOrDefault(segment.SegmentId);
        if (previous is null || !AreaChanges.SameSensors(previous, segment))
        {
            MembersChanged();
        }
        _changes.Track(DistrictId, previous, segment);
        return AttachAsync(state.State.Segments, segment.SegmentId, segment);
    }

    public async Task ReportSegments(SegmentSnapshot[] segments)
    {
        var membersChanged = false;
        foreach (var segment in segments)
        {
            if (state.State.Segments.TryGetValue(segment.SegmentId, out var previous))
            {
                membersChanged |= !AreaChanges.SameSensors(previous, segment);
                _changes.Track(DistrictId, previous, segment);
            }
            Report(state.State.Segments, segment.SegmentId, segment);
        }
        if (membersChanged)
        {
            MembersChanged();
            // Which sensors a segment holds is topology, not a live value: stored before the segment hears back.
            await state.WriteStateAsync();
        }
    }

    public Task DetachSegment(string segmentId)
    {
        MembersChanged();
        return DetachAsync(state.State.Segments, segmentId);
    }

    public Task AttachSensor(SensorSnapshot sensor)
    {
        if (!state.State.Sensors.ContainsKey(sensor.SensorId))
        {
            MembersChanged();
        }
        _changes.Track(DistrictId, sensor, segmentId: null);
        return AttachAsync(state.State.Sensors, sensor.SensorId, sensor);
    }

    public async Task AttachMembers(SegmentSnapshot[] segments, SensorSnapshot[] sensors)
    {
        MembersChanged();
        foreach (var segment in segments)
        {
            _changes.Track(DistrictId, state.State.Segments.GetValueOrDefault(segment.SegmentId), segment);
            state.State.Segments[segment.SegmentId] = segment;
        }
        foreach (var sensor in sensors)
        {
            _changes.Track(DistrictId, sensor, segmentId: null);
            state.State.Sensors[sensor.SensorId] = sensor;
        }
        state.State.Version++;
        // Membership is topology: one write for the whole batch, before the importer hears back.
        await state.WriteStateAsync();
        _report.Schedule();
        _evaluateAlerts.Schedule();
    }

    public Task ReportSensors(SensorSnapshot[] sensors)
    {
        foreach (var sensor in sensors)
        {
            if (state.State.Sensors.ContainsKey(sensor.SensorId))
            {
                _changes.Track(DistrictId, sensor, segmentId: null);
            }
            Report(state.State.Sensors, sensor.SensorId, sensor);
        }
        return Task.CompletedTask;
    }

    public Task DetachSensor(string sensorId)
    {
        _changes.Forget(sensorId);
        MembersChanged();
        return DetachAsync(state.State.Sensors, sensorId);
    }

    public Task AttachChild(DistrictSnapshot child) => AttachAsync(state.State.Children, child.DistrictId, child);

    public Task ReportChild(DistrictSnapshot child)
    {
        // A child's report may overtake an older one: the newer version wins.
        if (state.State.Children.TryGetValue(child.DistrictId, out var known) && known.Version <= child.Version)
        {
            Report(state.State.Children, child.DistrictId, child);
        }
        return Task.CompletedTask;
    }

    public Task DetachChild(string childId) => DetachAsync(state.State.Children, childId);

    public Task TrackReport(OpenReport report) => AttachAsync(state.State.Reports, report.ReportId, report);

    public Task UntrackReport(string reportId) => DetachAsync(state.State.Reports, reportId);

    public async Task CountAssetMove(bool entered)
    {
        Services.CountAssetMove(entered);
        state.State.Version++;
        // Stored at once, as the asset stores its change of area: assets cross areas far less often than they report.
        await state.WriteStateAsync();
        _report.Schedule();
    }

    private async Task AttachAsync<T>(Dictionary<string, T> members, string id, T value)
    {
        var isNew = !members.ContainsKey(id);
        members[id] = value;
        state.State.Version++;
        if (isNew)
        {
            await state.WriteStateAsync();
        }
        else
        {
            _persist.Schedule();
        }
        _report.Schedule();
        _evaluateAlerts.Schedule();
    }

    private void Report<T>(Dictionary<string, T> members, string id, T value)
    {
        // A report racing a detach must not bring the member back.
        if (members.ContainsKey(id))
        {
            members[id] = value;
            state.State.Version++;
            _report.Schedule();
            _evaluateAlerts.Schedule();
            _persist.Schedule();
        }
    }

    private async Task DetachAsync<T>(Dictionary<string, T> members, string id)
    {
        if (members.Remove(id))
        {
            state.State.Version++;
            await state.WriteStateAsync();
            _report.Schedule();
        }
    }

    private async Task RefreshHealthAsync()
    {
        if (state.State.Spec is null)
        {
            return;
        }
        // Rules change rarely; alerts that wait out a duration (and silent sensors) need time to pass, not data.
        _rules = await GrainFactory.GetGrain<IAlertRulesGrain>(0).Get();
        var alertsChanged = await EvaluateAlertsAsync();
        var sensorsAged = _changes.TrackAged(DistrictId, state.State);
        if (alertsChanged || sensorsAged || _lastReported is not { } last || !SameCounts(last, Kpis()))
        {
            state.State.Version++;
            _report.Schedule();
        }
    }

    /// <summary>Raises and resolves alerts from the district's live state; alerts are stored at once.</summary>
    private async Task<bool> EvaluateAlertsAsync()
    {
        var districtId = DistrictId;
        var now = time.GetUtcNow();
        var measurements = AlertEvaluator.Measure(_rules, state.State.Segments.Values, state.State.Sensors.Values, now);
        var changed = AlertEvaluator.Evaluate(state.State.Alerts, measurements, districtId, now, NewAlertId);
        if (changed.Count == 0)
        {
            return false;
        }
        _changedAlerts.AddRange(changed);
        await state.WriteStateAsync();
        return true;
    }

    public Task<IReadOnlyList<AlertView>> GetAlerts() =>
        Task.FromResult<IReadOnlyList<AlertView>>([.. state.State.Alerts.All.OrderByDescending(a => a.RaisedAt)]);

    public Task<AlertView?> AcknowledgeAlert(string alertId, string by) => ChangeAlertAsync(alertId, (key, open) =>
    {
        if (open.State != AlertState.Raised)
        {
            return open;
        }
        var acknowledged = open with { State = AlertState.Acknowledged, AcknowledgedBy = by, AcknowledgedAt = time.GetUtcNow() };
        state.State.Alerts.Open[key] = acknowledged;
        return acknowledged;
    });

    public Task<AlertView?> ResolveAlert(string alertId, string by) => ChangeAlertAsync(alertId, (key, open) =>
    {
        var resolved = open with { State = AlertState.Resolved, ResolvedBy = by, ResolvedAt = time.GetUtcNow() };
        state.State.Alerts.Retire(key, resolved);
        return resolved;
    });

    public async Task<AlertView> RaiseAlert(RaisedAlert alert)
    {
        if (state.State.Alerts.Open.TryGetValue(alert.Key, out var open))
        {
            return open;
        }
        var districtId = DistrictId;
        var raised = new AlertView(NewAlertId(), alert.RuleId, alert.RuleName, alert.Severity, alert.EntityId, districtId, alert.Sector,
            AlertState.Raised, alert.Value, time.GetUtcNow(), null, null, null, null);
        state.State.Alerts.Open[alert.Key] = raised;
        await StoreAlertChangeAsync(raised);
        return raised;
    }

    public async Task<AlertView?> ClearAlert(string key)
    {
        if (!state.State.Alerts.Open.TryGetValue(key, out var open))
        {
            return null;
        }
        var resolved = open with { State = AlertState.Resolved, ResolvedBy = "system", ResolvedAt = time.GetUtcNow() };
        state.State.Alerts.Retire(key, resolved);
        await StoreAlertChangeAsync(resolved);
        return resolved;
    }

    private async Task StoreAlertChangeAsync(AlertView changed)
    {
        state.State.Version++;
        _changedAlerts.Add(changed);
        await state.WriteStateAsync();
        _report.Schedule();
    }

    private string NewAlertId() => $"{DistrictId}:{Guid.NewGuid():N}"[..(DistrictId.Length + 13)];

    private async Task<AlertView?> ChangeAlertAsync(string alertId, Func<string, AlertView, AlertView> change)
    {
        var (key, open) = state.State.Alerts.Open.FirstOrDefault(a => a.Value.Id == alertId);
        if (open is null)
        {
            return null;
        }
        var changed = change(key, open);
        if (changed != open)
        {
            await StoreAlertChangeAsync(changed);
        }
        return changed;
    }

    /// <summary>The counts that change with time alone: sensors' health, and reports falling overdue.</summary>
    private static bool SameCounts(DistrictKpis a, DistrictKpis b) =>
        a.SensorsOnline.Value == b.SensorsOnline.Value && a.SensorsStale.Value == b.SensorsStale.Value &&
        a.SensorsOffline.Value == b.SensorsOffline.Value && AreaServices.SameOverdue(a, b);

    private async Task ReportUpAsync()
    {
        if (state.State.Spec is not { } spec)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var all = AllKpis();
        if (HasOwnMembers)
        {
            pacing.Spent(Stopwatch.GetElapsedTime(started));
        }
        var (kpis, sectors) = all;
        var (segments, sensors) = _changes.Take();
        (_publisher ??= GrainFactory.GetGrain<ITwinPublisher>(0)).Publish(new DistrictUpdate(
            spec.Id, spec.Name, kpis, state.State.Version, segments, sensors, [.. _changedAlerts], sectors, spec.ParentId)).Ignore();
        _changedAlerts.Clear();
        var snapshot = Snapshot(spec, all);
        await (spec.ParentId is { } parentId
            ? (_parent ??= GrainFactory.GetGrain<IDistrictGrain>(parentId)).ReportChild(snapshot)
            : (_city ??= GrainFactory.GetGrain<ICityGrain>(CityGrainKey.Id)).ReportDistrict(snapshot));
        _lastReported = kpis;
    }

    private DistrictKpis Kpis() => AllKpis().Area;

    private bool HasOwnMembers => state.State.Segments.Count > 0 || state.State.Sensors.Count > 0;

    /// <summary>An area counting members of its own gathers longer while such areas' reports load the silo; one above them does not.</summary>
    private TimeSpan ReportDelay() => HasOwnMembers ? options.Value.PublishDelay * pacing.Stretch : options.Value.PublishDelay;

    // Each segment's sensors as last counted: a report counts again only the segments that changed.
    private readonly KpiCalculator.SegmentTotals _segmentTotals = new();

    /// <summary>
    /// The area's KPIs and each sector's: its own roads, sensors and citizen reports, and its children's as they last
    /// reported.
    /// </summary>
    private (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) AllKpis()
    {
        var now = time.GetUtcNow();
        var services = Services;
        var own = services.WithReports(KpiCalculator.ForDistrictAndSectors(state.State.Segments.Values, state.State.Sensors.Values,
            [.. state.State.Alerts.Open.Values.Select(a => a.Sector)], now, _segmentTotals), now);
        var (area, sectors) = KpiCalculator.ForArea(own,
            hasOwnMembers: HasOwnMembers || state.State.Alerts.Open.Count > 0 || services.HasReports,
            state.State.Children.Values);
        return (services.WithAssetMoves(area), sectors);
    }

    private int OwnSensorCount => state.State.Sensors.Count + state.State.Segments.Values.Sum(s => s.Sensors.Count);

    private DistrictSnapshot Snapshot(DistrictSpec spec, (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) kpis) =>
        new(spec.Id, spec.Name, spec.NameEn, kpis.Area, state.State.Version, spec.Kind, spec.ParentId, kpis.Sectors,
            state.State.Segments.Count + state.State.Children.Values.Sum(c => c.SegmentCount),
            OwnSensorCount + state.State.Children.Values.Sum(c => c.SensorCount));

    private DistrictView View(DistrictSpec spec)
    {
        var (kpis, sectors) = AllKpis();
        return new(spec.Id, spec.Name, spec.NameEn, spec.Boundary, kpis,
            state.State.Segments.Count + state.State.Children.Values.Sum(c => c.SegmentCount),
            OwnSensorCount + state.State.Children.Values.Sum(c => c.SensorCount), state.State.Version, sectors,
            spec.Kind, spec.ParentId, [.. state.State.Children.Keys.Order(StringComparer.Ordinal)], spec.Schematic, spec.MoreParts);
    }
}
