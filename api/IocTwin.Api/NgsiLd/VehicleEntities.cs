using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Api.Assets;
using IocTwin.Model;
using static IocTwin.Api.NgsiLd.Sdm;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// Moving assets as Smart Data Models <c>Vehicle</c> entities (dataModel.Transportation): <c>urn:ngsi-ld:Vehicle:&lt;assetId&gt;</c>
/// with its latest position as <c>location</c>, <c>speed</c> (km/h) and <c>heading</c> (degrees from north) observed when
/// it reported, its kind as the model's <c>vehicleType</c> and its status (kebab-case in the twin) as a camelCase
/// <c>serviceStatus</c> ("en-route" is "enRoute"), which a write turns back.
/// </summary>
public static class VehicleEntities
{
    public const string ShortType = "Vehicle";

    /// <summary>The model's vehicleType of each kind; the model has no boat, so a vessel is "anyVehicle".</summary>
    public static string VehicleTypeOf(AssetKind kind) => kind switch
    {
        AssetKind.Ambulance => "ambulance",
        AssetKind.FireEngine => "fireTender",
        AssetKind.Bus => "bus",
        AssetKind.ServiceVehicle => "constructionOrMaintenanceVehicle",
        _ => "anyVehicle",
    };

    public static NgsiEntity Of(AssetView asset)
    {
        var at = asset.ReportedAt;
        var attributes = new Dictionary<string, NgsiAttribute>
        {
            [Name] = NgsiAttribute.Property(asset.Name),
            [VehicleType] = NgsiAttribute.Property(VehicleTypeOf(asset.Kind)),
            [Category] = NgsiAttribute.Property(AssetRequests.KindName(asset.Kind)),
        };
        if (asset.AreaId is { } area) attributes[AreaServed] = NgsiAttribute.Property(area);
        if (asset.Location is { } location) attributes[Location] = NgsiAttribute.Geo(SmartDataModels.Point(location)) with { ObservedAt = at };
        if (asset.SpeedKmh is { } speed) attributes[Speed] = NgsiAttribute.Property(speed, at, Units.KilometrePerHour);
        if (asset.HeadingDeg is { } heading) attributes[Heading] = NgsiAttribute.Property(heading, at);
        if (asset.Status is { } status) attributes[ServiceStatus] = NgsiAttribute.Property(ServiceStatusOf(status), at);
        // An asset outside every area belongs to no district: only its sector's OCs (and the IOC) see it, as on REST.
        return new NgsiEntity(NgsiLdFormat.Urn(ShortType, asset.Id), Vehicle, attributes, asset.AreaId ?? "", asset.Sector);
    }

    /// <summary>"en-route" → "enRoute".</summary>
    public static string ServiceStatusOf(string status)
    {
        var text = new StringBuilder(status.Length);
        for (var i = 0; i < status.Length; i++)
        {
            text.Append(status[i] == '-' && i + 1 < status.Length ? char.ToUpperInvariant(status[++i]) : status[i]);
        }
        return text.ToString();
    }

    /// <summary>"enRoute" → "en-route"; what the position rules then check.</summary>
    public static string StatusOf(string serviceStatus)
    {
        var text = new StringBuilder(serviceStatus.Length + 4);
        foreach (var c in serviceStatus)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                text.Append('-').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
