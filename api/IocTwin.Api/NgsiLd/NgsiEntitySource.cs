using IocTwin.Api.Access;
using IocTwin.Api.Apis;
using IocTwin.Api.Assets;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Topology;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// The twin's entities as NGSI-LD entities, read from the live grains and cut to what the caller's token covers:
/// nothing out of scope is ever built. A single id is looked up in the known topology (or the context entity index)
/// before any grain is asked. Context entities (<see cref="ContextEntityStore"/>) are read beside the twin's own.
/// </summary>
public sealed class NgsiEntitySource(IGrainFactory grains, KnownEntities known, KnownAssets assets, ContextEntityStore contexts)
{
    private static readonly HashSet<string> SensorTypes =
        [Sdm.Device, Sdm.TrafficFlowObserved, Sdm.AirQualityObserved, Sdm.NoiseLevelObserved, Sdm.FloodMonitoring, Sdm.Streetlight, Sdm.DeviceMeasurement];

    /// <summary>Every entity the caller may see whose (expanded) type passes <paramref name="wantsType"/>.</summary>
    public async Task<List<NgsiEntity>> ReadAsync(TwinAccess access, Func<string, bool> wantsType)
    {
        var twins = ReadTwinAsync(access, wantsType);
        var vehicles = wantsType(Sdm.Vehicle) ? assets.VisibleAsync(access) : Task.FromResult<List<AssetView>>([]);
        var context = await contexts.ReadAsync(access, wantsType);
        return [.. await twins, .. (await vehicles).Select(VehicleEntities.Of), .. context];
    }

    private async Task<List<NgsiEntity>> ReadTwinAsync(TwinAccess access, Func<string, bool> wantsType)
    {
        var wantsAlerts = wantsType(Sdm.Alert);
        var wantsSensors = wantsAlerts || SensorTypes.Any(wantsType);
        var wantsSegments = wantsAlerts || wantsType(Sdm.RoadSegment) || wantsType(Sdm.TrafficFlowObserved);
        var districtIds = (await LiveTopology.DistrictIdsAsync(grains))
            .Where(d => access.Role != TwinRoles.DistrictOc || access.CanSeeAllOfDistrict(d)).ToList();
        if (!wantsSensors && !wantsSegments && !wantsType(Sdm.AdministrativeArea))
        {
            return [];
        }
        var views = await LiveTopology.ReadViewsAsync(grains, districtIds, includeSensors: wantsSensors);
        var entities = new List<NgsiEntity>();
        entities.AddRange(views.Districts.Where(d => access.CanSeeDistrict(d.Id)).Select(SmartDataModels.AdministrativeAreaOf));
        foreach (var segment in views.Segments.Where(s => access.CanSeeSegment(s.DistrictId)))
        {
            entities.Add(SmartDataModels.RoadSegmentOf(segment));
            entities.Add(SmartDataModels.SegmentTraffic(segment));
        }
        foreach (var sensor in views.Sensors.Where(s => access.CanSeeSensor(s.DistrictId, s.Sector)))
        {
            entities.Add(SmartDataModels.Device(sensor));
            entities.Add(SmartDataModels.Observation(sensor));
        }
        if (wantsAlerts)
        {
            var sources = SourcesOf(views);
            var lists = await Task.WhenAll(districtIds.Select(id => grains.GetGrain<IDistrictGrain>(id).GetAlerts()));
            entities.AddRange(lists.SelectMany(l => l).Where(a => access.CanSeeSensor(a.DistrictId, a.Sector))
                .Select(a => SmartDataModels.AlertOf(a, sources.GetValueOrDefault(a.EntityId))));
        }
        return [.. entities.Where(e => wantsType(e.Type))];
    }

    /// <summary>The entity with that id, or null when the twin holds none or the caller may not see it.</summary>
    public async Task<NgsiEntity?> ReadOneAsync(TwinAccess access, string id)
    {
        if (!await contexts.IsTwinOwnedAsync(id))
        {
            return await contexts.ReadOneAsync(access, id);
        }
        var (type, localId) = NgsiLdFormat.ParseUrn(id)!.Value;
        var candidates = new List<NgsiEntity>();
        if (type == "Alert")
        {
            if (AlertIds.TryParseDistrict(localId, out var districtId) && await known.ExistsAsync(EntityKind.District, districtId))
            {
                var alert = (await grains.GetGrain<IDistrictGrain>(districtId).GetAlerts()).FirstOrDefault(a => a.Id == localId);
                if (alert is not null && access.CanSeeSensor(alert.DistrictId, alert.Sector))
                {
                    candidates.Add(SmartDataModels.AlertOf(alert, await SourceAsync(alert.EntityId)));
                }
            }
        }
        else if (type == VehicleEntities.ShortType)
        {
            if (TopologyRules.IsValidId(localId) && await assets.VisibleAsync(access, localId) is { } asset)
            {
                candidates.Add(VehicleEntities.Of(asset));
            }
        }
        else if (TopologyRules.IsValidId(localId))
        {
            if (type == "AdministrativeArea" && await known.ExistsAsync(EntityKind.District, localId)
                && await grains.GetGrain<IDistrictGrain>(localId).Get() is { } district && access.CanSeeDistrict(district.Id))
            {
                candidates.Add(SmartDataModels.AdministrativeAreaOf(district));
            }
            if (type is "RoadSegment" or "TrafficFlowObserved" && await SegmentAsync(access, localId) is { } segment)
            {
                candidates.Add(SmartDataModels.RoadSegmentOf(segment));
                candidates.Add(SmartDataModels.SegmentTraffic(segment));
            }
            if (type is not ("RoadSegment" or "AdministrativeArea") && await SensorAsync(access, localId) is { } sensor)
            {
                candidates.Add(SmartDataModels.Device(sensor));
                candidates.Add(SmartDataModels.Observation(sensor));
            }
        }
        return candidates.FirstOrDefault(e => e.Id == id);
    }

    private async Task<SegmentView?> SegmentAsync(TwinAccess access, string id) =>
        await known.ExistsAsync(EntityKind.Segment, id) && await grains.GetGrain<IRoadSegmentGrain>(id).Get() is { } segment
            && access.CanSeeSegment(segment.DistrictId) ? segment : null;

    private async Task<SensorView?> SensorAsync(TwinAccess access, string id) =>
        await known.ExistsAsync(EntityKind.Sensor, id) && await grains.GetGrain<ISensorGrain>(id).Get() is { } sensor
            && access.CanSeeSensor(sensor.DistrictId, sensor.Sector) ? sensor : null;

    /// <summary>An alert's sensor or segment, for its URN and location; read whatever the caller's scope (the alert is in it).</summary>
    private async Task<NgsiEntity?> SourceAsync(string entityId)
    {
        if (await known.ExistsAsync(EntityKind.Sensor, entityId) && await grains.GetGrain<ISensorGrain>(entityId).Get() is { } sensor)
        {
            return SmartDataModels.Device(sensor);
        }
        return await known.ExistsAsync(EntityKind.Segment, entityId) && await grains.GetGrain<IRoadSegmentGrain>(entityId).Get() is { } segment
            ? SmartDataModels.RoadSegmentOf(segment)
            : null;
    }

    private static Dictionary<string, NgsiEntity> SourcesOf(TwinViews views)
    {
        var sources = new Dictionary<string, NgsiEntity>();
        foreach (var segment in views.Segments) sources[segment.Id] = SmartDataModels.RoadSegmentOf(segment);
        foreach (var sensor in views.Sensors) sources[sensor.Id] = SmartDataModels.Device(sensor);
        return sources;
    }
}
