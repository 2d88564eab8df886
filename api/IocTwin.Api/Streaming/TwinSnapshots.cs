using IocTwin.Api.Access;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Api.Streaming;

/// <summary>Reads the current state a scope covers, straight from the grains.</summary>
public sealed class TwinSnapshots(IGrainFactory grains)
{
    public async Task<ScopeSnapshot> TakeAsync(TwinScope scope, long sequence)
    {
        var key = scope.ToString();
        switch (scope.Kind)
        {
            case ScopeKind.City:
            {
                var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
                var (districts, segments, sensors) = await ReadDistrictsAsync(city.Districts.Select(d => d.DistrictId));
                return new ScopeSnapshot(key, sequence, city, districts, segments, sensors);
            }
            case ScopeKind.District:
            {
                var (districts, segments, sensors) = await ReadDistrictsAsync([scope.Id!]);
                return new ScopeSnapshot(key, sequence, null, districts, segments, sensors);
            }
            case ScopeKind.Sector:
            {
                var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
                var (districts, segments, sensors) = await ReadDistrictsAsync(city.Districts.Select(d => d.DistrictId));
                return new ScopeSnapshot(key, sequence, null, districts,
                    scope.Sector == Sector.Traffic ? segments : [], [.. sensors.Where(s => s.Sector == scope.Sector)]);
            }
            case ScopeKind.Entity:
            {
                var segment = await grains.GetGrain<IRoadSegmentGrain>(scope.Id!).Get();
                var sensor = segment is null ? await grains.GetGrain<ISensorGrain>(scope.Id!).Get() : null;
                return new ScopeSnapshot(key, sequence, null, [], segment is null ? [] : [segment], sensor is null ? [] : [sensor]);
            }
            default:
                return new ScopeSnapshot(key, sequence, null, [], [], []);
        }
    }

    /// <summary>The open alerts a scope covers, newest first.</summary>
    public async Task<List<AlertView>> OpenAlertsAsync(TwinScope scope)
    {
        if (scope.Kind == ScopeKind.Scenario)
        {
            return [];
        }
        IEnumerable<string> districtIds = scope.Kind == ScopeKind.District
            ? [scope.Id!]
            : (await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get()).Districts.Select(d => d.DistrictId);
        var alerts = await Task.WhenAll(districtIds.Select(id => grains.GetGrain<IDistrictGrain>(id).GetAlerts()));
        return [.. alerts.SelectMany(a => a).Where(a => a.State != AlertState.Resolved && scope.Covers(a)).OrderByDescending(a => a.RaisedAt)];
    }

    /// <summary>Whether what a scope names exists: a district, or a scenario (entities are located below).</summary>
    public async Task<bool> ExistsAsync(TwinScope scope) => scope.Kind switch
    {
        ScopeKind.District => await grains.GetGrain<IDistrictGrain>(scope.Id!).Get() is not null,
        ScopeKind.Scenario => await grains.GetGrain<IScenarioGrain>(scope.Id!).Get() is not null,
        _ => true,
    };

    /// <summary>Where an entity lives and which sector it is, to check a caller's access; null when unknown.</summary>
    public async Task<(string DistrictId, Sector Sector)?> LocateEntityAsync(string id)
    {
        if (await grains.GetGrain<IRoadSegmentGrain>(id).Get() is { } segment)
        {
            return (segment.Spec.DistrictId, Sector.Traffic);
        }
        return await grains.GetGrain<ISensorGrain>(id).Get() is { } sensor ? (sensor.DistrictId, sensor.Sector) : null;
    }

    private async Task<(List<DistrictView>, List<SegmentView>, List<SensorView>)> ReadDistrictsAsync(IEnumerable<string> districtIds)
    {
        var views = await LiveTopology.ReadViewsAsync(grains, districtIds);
        return (views.Districts, views.Segments, views.Sensors);
    }
}
