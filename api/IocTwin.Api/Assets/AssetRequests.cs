using IocTwin.Api.Access;
using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Api.Assets;

/// <summary>An asset to register: kind "ambulance", "fire-engine", "bus", "service-vehicle" or "fishing-vessel".</summary>
public sealed record AssetRequest(string? Name, string? Kind, string? Sector);

/// <summary>One position report; heading in degrees clockwise from north, speed in km/h; no timestamp means now.</summary>
public sealed record AssetPositionRequest(
    string? Id, double? Lat, double? Lon, double? Heading, double? Speed, string? Status, DateTimeOffset? Timestamp);

/// <summary>A valid position report, by the asset it is for.</summary>
public sealed record AssetReport(string AssetId, AssetPosition Position);

public sealed record AssetIngestResult(int Accepted);

/// <summary>The rules every asset request is checked against; errors name the field (items as "[i].field").</summary>
public static class AssetRequests
{
    public const int MaxPositions = 10_000;
    public const double MaxSpeedKmh = 400;
    public const int MaxStatusLength = 32;

    /// <summary>The sector whose OCs follow an asset of a kind, unless its registration names another.</summary>
    public static Sector DefaultSector(AssetKind kind) => kind switch
    {
        AssetKind.Ambulance or AssetKind.FireEngine => Sector.PublicSafety,
        AssetKind.Bus or AssetKind.ServiceVehicle => Sector.Traffic,
        _ => Sector.Water,
    };

    public static string KindName(AssetKind kind) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());

    public static bool TryParseKind(string? text, out AssetKind kind)
    {
        kind = default;
        foreach (var candidate in Enum.GetValues<AssetKind>())
        {
            if (string.Equals(KindName(candidate), text, StringComparison.Ordinal) || string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        return false;
    }

    public static AssetSpec? Check(string id, AssetRequest body, Dictionary<string, List<string>> errors)
    {
        if (!TopologyRules.IsValidId(id)) errors.AddError("id", TopologyRules.IdRule);
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > TopologyRules.MaxNameLength) errors.AddError("name", "is required, at most 200 characters");
        if (!TryParseKind(body.Kind, out var kind)) errors.AddError("kind", "must be ambulance, fire-engine, bus, service-vehicle or fishing-vessel");
        Sector sector = DefaultSector(kind);
        if (body.Sector is not null && !SectorNames.TryParse(body.Sector, out sector)) errors.AddError("sector", "is not a known sector");
        return errors.Count == 0 ? new AssetSpec(id, body.Name!, kind, sector) : null;
    }

    /// <summary>Every item checked; the reports when all are valid, none otherwise (a bad batch changes nothing).</summary>
    public static List<AssetReport>? Check(IReadOnlyList<AssetPositionRequest?> items, DateTimeOffset now, Dictionary<string, List<string>> errors)
    {
        if (items.Count > MaxPositions)
        {
            errors.AddError("body", $"holds at most {MaxPositions} positions; this one has {items.Count}");
            return null;
        }
        var reports = new List<AssetReport>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors.AddError($"[{i}]", "must be a position object");
                continue;
            }
            var at = $"[{i}].";
            if (item.Id is null || !TopologyRules.IsValidId(item.Id)) errors.AddError(at + "id", "must be an asset id: " + TopologyRules.IdRule);
            if (item.Lat is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90) errors.AddError(at + "lat", "is required, -90 to 90");
            if (item.Lon is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180) errors.AddError(at + "lon", "is required, -180 to 180");
            if (item.Heading is { } heading && (!double.IsFinite(heading) || heading is < 0 or >= 360)) errors.AddError(at + "heading", "must be 0 to under 360 degrees");
            if (item.Speed is { } speed && (!double.IsFinite(speed) || speed is < 0 or > MaxSpeedKmh)) errors.AddError(at + "speed", $"must be 0 to {MaxSpeedKmh} km/h");
            if (item.Status is { } status && (status.Length is 0 or > MaxStatusLength || !status.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            {
                errors.AddError(at + "status", $"must be 1 to {MaxStatusLength} lower-case letters, digits or '-'");
            }
            if (item.Timestamp is { } time && time > now + ReadingBatchParser.MaxClockSkew)
            {
                errors.AddError(at + "timestamp", $"is more than {ReadingBatchParser.MaxClockSkew.TotalMinutes:0} minutes in the future");
            }
            if (errors.Count == 0)
            {
                reports.Add(new AssetReport(item.Id!, new AssetPosition(new GeoPoint(item.Lon!.Value, item.Lat!.Value), item.Heading, item.Speed,
                    item.Status, item.Timestamp ?? now)));
            }
        }
        return errors.Count == 0 ? reports : null;
    }
}
