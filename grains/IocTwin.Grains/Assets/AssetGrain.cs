using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.Extensions.Logging;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class AssetState
{
    [Id(0)] public AssetSpec? Spec { get; set; }
    [Id(1)] public AssetPosition? Position { get; set; }
    /// <summary>The areas holding the latest position, deepest first.</summary>
    [Id(2)] public string[] AreaPath { get; set; } = [];
    [Id(3)] public long Version { get; set; }
    /// <summary>Where the asset stands with each geofence rule, by rule id.</summary>
    [Id(4)] public Dictionary<string, GeofenceMark> Geofences { get; set; } = [];
}

/// <summary>
/// A moving asset: its latest position and the area holding it, its geofence alerts (raised and resolved in the areas'
/// alert lifecycle) and its updates to screens. Positions are durable in the history store before they reach it, so its
/// own position is written behind; area changes and alerts are written at once.
/// </summary>
public sealed class AssetGrain(
    [PersistentState("asset", TwinStorage.Name)] IPersistentState<AssetState> state,
    TimeProvider time,
    ILogger<AssetGrain> logger,
    WriteBehindSchedule writeBehind) : Grain, IAssetGrain, IWritesBehind
{
    /// <summary>How long an asset keeps the geofence rules it read: a changed rule reaches every asset within this.</summary>
    public static readonly TimeSpan RulesRefresh = TimeSpan.FromSeconds(10);

    private StateWriteBehind _persist = null!;
    private IReadOnlyList<GeofenceRule> _rules = [];
    private DateTimeOffset _rulesRead = DateTimeOffset.MinValue;

    private string AssetId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _persist = new StateWriteBehind(GrainContext, writeBehind, state);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _persist.FlushAsync();

    // The silo's write-behind schedule calls one of these when the write is due (TwinOptions.InterleaveWriteBehind).
    public Task WriteBehind() => _persist.RunAsync();

    public Task WriteBehindInterleaved() => _persist.RunAsync();

    public async Task<AssetView> Register(AssetSpec spec)
    {
        var previousSector = state.State.Spec?.Sector;
        state.State.Spec = spec with { Id = AssetId };
        state.State.Version++;
        await state.WriteStateAsync();
        await AssetIndex.Of(GrainFactory, AssetId).Put(new AssetEntry(AssetId, spec.Kind, spec.Sector, AreaId));
        var view = View(state.State.Spec);
        // Its sector decides who sees it: the screens holding it take the new version, leaving the old sector's OCs.
        GrainFactory.GetGrain<ITwinPublisher>(0).PublishAsset(new AssetUpdate(view, AreaId,
            previousSector is { } old && old != spec.Sector ? old : null)).Ignore();
        return view;
    }

    public Task<AssetView?> Get() => Task.FromResult(state.State.Spec is { } spec ? View(spec) : null);

    public async Task Report(AssetPosition position, string[] areaPath)
    {
        if (state.State.Spec is not { } spec || state.State.Position is { } latest && position.Timestamp <= latest.Timestamp)
        {
            return;
        }
        var previousArea = AreaId;
        var previousPath = state.State.AreaPath;
        state.State.Position = position;
        state.State.AreaPath = areaPath;
        state.State.Version++;
        var mustStore = previousArea != AreaId;
        if (mustStore)
        {
            await AssetIndex.Of(GrainFactory, AssetId).Moved(AssetId, previousArea, AreaId);
            await CountMovesAsync(previousPath, areaPath);
        }
        mustStore |= await ApplyGeofencesAsync(spec, position, areaPath);
        if (mustStore)
        {
            await state.WriteStateAsync();
        }
        else
        {
            _persist.Schedule();
        }
        GrainFactory.GetGrain<ITwinPublisher>(0).PublishAsset(new AssetUpdate(View(spec), previousArea)).Ignore();
    }

    private string? AreaId => state.State.AreaPath.Length > 0 ? state.State.AreaPath[0] : null;

    /// <summary>
    /// Each area the asset entered or left, at every level: an area above both places (the district of two wards) saw
    /// neither.
    /// </summary>
    private async Task CountMovesAsync(string[] from, string[] to)
    {
        foreach (var left in from.Except(to, StringComparer.Ordinal))
        {
            await GrainFactory.GetGrain<IDistrictGrain>(left).CountAssetMove(entered: false);
        }
        foreach (var entered in to.Except(from, StringComparer.Ordinal))
        {
            await GrainFactory.GetGrain<IDistrictGrain>(entered).CountAssetMove(entered: true);
        }
    }

    /// <summary>Raises and resolves the asset's geofence alerts; whether any changed.</summary>
    private async Task<bool> ApplyGeofencesAsync(AssetSpec spec, AssetPosition position, string[] areaPath)
    {
        var now = time.GetUtcNow();
        if (now - _rulesRead > RulesRefresh)
        {
            _rules = await GrainFactory.GetGrain<IGeofencesGrain>(0).Get();
            _rulesRead = now;
        }
        var changed = false;
        var marks = state.State.Geofences;
        foreach (var rule in _rules)
        {
            if (!GeofenceEvaluator.Applies(rule, spec.Kind))
            {
                continue;
            }
            if (!marks.TryGetValue(rule.Id, out var mark))
            {
                marks[rule.Id] = mark = new GeofenceMark();
                changed = true;
            }
            var wasInside = mark.Inside;
            var action = GeofenceEvaluator.Step(rule, mark, GeofenceEvaluator.InZone(rule, position.Location, areaPath), position.SpeedKmh,
                position.Timestamp);
            changed |= wasInside != mark.Inside || action != GeofenceAction.None;
            if (action == GeofenceAction.Raise && (areaPath.FirstOrDefault() ?? rule.HomeAreaId) is { } areaId)
            {
                await GrainFactory.GetGrain<IDistrictGrain>(areaId).RaiseAlert(new RaisedAlert(AlertKey(rule.Id), rule.Id, rule.Name,
                    rule.Severity, AssetId, spec.Sector, GeofenceEvaluator.AlertValue(rule, mark, position.SpeedKmh, position.Timestamp)));
                mark.AlertAreaId = areaId;
            }
            else if (action == GeofenceAction.Resolve)
            {
                await ResolveAsync(rule.Id, mark);
            }
        }
        // A rule deleted (or no longer for this kind) leaves no alert open behind it.
        foreach (var (ruleId, mark) in marks.Where(m => !_rules.Any(r => r.Id == m.Key && GeofenceEvaluator.Applies(r, spec.Kind))).ToList())
        {
            await ResolveAsync(ruleId, mark);
            marks.Remove(ruleId);
            changed = true;
        }
        return changed;
    }

    private async Task ResolveAsync(string ruleId, GeofenceMark mark)
    {
        if (mark.AlertAreaId is not { } areaId)
        {
            return;
        }
        try
        {
            await GrainFactory.GetGrain<IDistrictGrain>(areaId).ClearAlert(AlertKey(ruleId));
            mark.AlertAreaId = null;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The alert stays open in its area for an operator to resolve; the report itself is not lost.
            logger.LogWarning(ex, "Could not resolve geofence alert {Rule} of asset {Asset}", ruleId, AssetId);
        }
    }

    private string AlertKey(string ruleId) => $"geofence:{ruleId}|{AssetId}";

    private AssetView View(AssetSpec spec)
    {
        var position = state.State.Position;
        return new AssetView(spec.Id, spec.Name, spec.Kind, spec.Sector, position?.Location, position?.HeadingDeg, position?.SpeedKmh,
            position?.Status, position?.Timestamp, AreaId, state.State.Version);
    }
}
