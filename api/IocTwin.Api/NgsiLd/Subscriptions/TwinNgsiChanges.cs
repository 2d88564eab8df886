using System.Collections.Concurrent;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// Reads the twin's live updates (what this API process's observer receives) as changes of NGSI-LD entities: a sensor's
/// reading changes its observation entity's values and its Device's state, a segment's traffic its TrafficFlowObserved
/// (and a new status its RoadSegment), an alert its Alert, an asset's position report or registration its Vehicle; a
/// context entity's create or update is its own change.
/// </summary>
public sealed class TwinNgsiChanges(NgsiChangeFeed feed, TimeProvider time)
{
    private static readonly string[] DeviceAttributes = [Sdm.DeviceState, Sdm.DateLastValueReported];
    private static readonly string[] TrafficAttributes =
        [Sdm.Intensity, Sdm.AverageVehicleSpeed, Sdm.Occupancy, Sdm.LevelOfService, Sdm.Congested, Sdm.DateObserved];

    private static readonly string[] PositionAttributes = [Sdm.Location, Sdm.Speed, Sdm.Heading, Sdm.ServiceStatus];
    private static readonly string[] MovedAttributes = [.. PositionAttributes, Sdm.AreaServed];

    private readonly ConcurrentDictionary<string, SegmentStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset?> _reportedAt = new(StringComparer.Ordinal);

    public void OnUpdates(IEnumerable<DistrictUpdate> districts)
    {
        // Asked once per update: with no subscription watching a type, its entities' changes are not built.
        var wantsAny = feed.WantsAny;
        var wantsDevices = wantsAny && feed.Wants(Sdm.Device);
        var wantsTraffic = wantsAny && feed.Wants(Sdm.TrafficFlowObserved);
        var wantsRoads = wantsAny && feed.Wants(Sdm.RoadSegment);
        var wantsAlerts = wantsAny && feed.Wants(Sdm.Alert);
        var now = time.GetUtcNow();
        var changes = new List<NgsiChange>();
        foreach (var district in districts)
        {
            if (wantsAny)
            {
                foreach (var sensor in district.Sensors)
                {
                    var observationType = Sdm.Types[SmartDataModels.ObservationType(sensor.Kind)];
                    if (feed.Wants(observationType))
                    {
                        var values = SmartDataModels.ValuesOf(sensor.Kind).Where(m => sensor.Values.ContainsKey(m.Reading)).Select(m => m.Attribute);
                        changes.Add(new(NgsiLdFormat.Urn(SmartDataModels.ObservationType(sensor.Kind), sensor.Id), observationType,
                            [.. values, Sdm.DateObserved], now));
                    }
                    if (wantsDevices)
                    {
                        changes.Add(new(NgsiLdFormat.Urn("Device", sensor.Id), Sdm.Device, DeviceAttributes, now));
                    }
                }
            }
            foreach (var segment in district.Segments)
            {
                if (wantsTraffic)
                {
                    changes.Add(new(NgsiLdFormat.Urn("TrafficFlowObserved", segment.Id), Sdm.TrafficFlowObserved, TrafficAttributes, now));
                }
                // Statuses are followed whoever watches, so that a subscription made later hears of the next change.
                var previous = _statuses.GetValueOrDefault(segment.Id, SegmentStatus.Open);
                _statuses[segment.Id] = segment.Status;
                if (previous != segment.Status && wantsRoads)
                {
                    changes.Add(new(NgsiLdFormat.Urn("RoadSegment", segment.Id), Sdm.RoadSegment, [Sdm.Status], now));
                }
            }
            foreach (var alert in wantsAlerts ? district.Alerts : [])
            {
                changes.Add(new(NgsiLdFormat.Urn("Alert", alert.Id), Sdm.Alert, null, now));
            }
        }
        feed.Publish(changes);
    }

    /// <summary>
    /// Assets' new versions: a newer report than the last one heard is a position report (its location, speed, heading
    /// and status, and its area when it moved); anything else (a registration, or an asset first heard of) may have
    /// changed any attribute. Who may see the Vehicle is decided at dispatch, by the owner's scope.
    /// </summary>
    public void OnAssets(IEnumerable<AssetUpdate> updates)
    {
        var wantsVehicles = feed.Wants(Sdm.Vehicle);
        var now = time.GetUtcNow();
        var changes = new List<NgsiChange>();
        foreach (var (asset, previousArea, _) in updates)
        {
            // Report times are followed whoever watches, so that a subscription made later tells reports from registrations.
            var known = _reportedAt.TryGetValue(asset.Id, out var previousReport);
            _reportedAt[asset.Id] = asset.ReportedAt;
            if (!wantsVehicles)
            {
                continue;
            }
            IReadOnlyCollection<string>? attributes = known && asset.ReportedAt is { } reported && (previousReport is null || reported > previousReport)
                ? previousArea == asset.AreaId ? PositionAttributes : MovedAttributes
                : null;
            changes.Add(new(NgsiLdFormat.Urn(VehicleEntities.ShortType, asset.Id), Sdm.Vehicle, attributes, now));
        }
        feed.Publish(changes);
    }

    /// <summary>
    /// Context entities written anywhere in the cluster. A deletion notifies nothing (the spec's default triggers are
    /// creations and updates); a creation may have changed any attribute.
    /// </summary>
    public void OnContextEntities(IEnumerable<ContextEntityChange> changes)
    {
        var now = time.GetUtcNow();
        feed.Publish([.. changes
            .Where(c => c.Kind != ContextChangeKind.Deleted)
            .Select(c => new NgsiChange(c.EntityId, c.Type, c.Kind == ContextChangeKind.Created ? null : c.Attributes, now))]);
    }
}
