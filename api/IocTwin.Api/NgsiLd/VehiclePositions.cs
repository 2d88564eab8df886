using System.Globalization;
using System.Text.Json.Nodes;
using IocTwin.Api.Assets;
using IocTwin.Api.Ingest;
using IocTwin.Domain;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// A <c>Vehicle</c> entity (or attribute fragment) written over NGSI-LD read back as a position report of its asset:
/// <c>location</c> (a Point) with <c>speed</c>, <c>heading</c> and <c>serviceStatus</c>, observed at the location's
/// <c>observedAt</c> (else now); then checked and stored by the HTTP batch's rules and ingest
/// (<see cref="AssetIngest"/>). Name, kind and the other attributes the twin writes may be sent back and are ignored.
/// </summary>
public sealed class VehiclePositions(AssetIngest ingest, KnownAssets known)
{
    private static readonly HashSet<string> EntityMembers = ["id", "type", "@context", "scope", "createdAt", "modifiedAt"];

    /// <summary>What the twin writes of an asset that is not part of a position: its registration decides them.</summary>
    private static readonly HashSet<string> Descriptive = [Sdm.Name, Sdm.VehicleType, Sdm.Category, Sdm.AreaServed];

    public static bool IsVehicle(string id) => NgsiLdFormat.ParseUrn(id) is (VehicleEntities.ShortType, _);

    /// <summary>The position report an entity carries, checked whole; or the ETSI problem that refuses it.</summary>
    public async Task<(AssetReport? Report, NgsiLdProblem? Problem)> ReadAsync(string id, JsonObject attributes, LdContext context)
    {
        var assetId = NgsiLdFormat.ParseUrn(id)!.Value.LocalId;
        if (!TopologyRules.IsValidId(assetId) || !await known.ExistsAsync(assetId))
        {
            return (null, NgsiLdProblems.Item(404, "ResourceNotFound", $"The twin has no registered asset '{assetId}'."));
        }
        if (attributes["type"] is { } given && (given is not JsonValue value || !value.TryGetValue<string>(out var typeName) || context.Expand(typeName) != Sdm.Vehicle))
        {
            return (null, NgsiLdProblems.Item(400, "BadRequestData", $"The type {given.ToJsonString()} does not match the id '{id}'."));
        }
        JsonObject? location = null;
        double? speed = null, heading = null;
        string? status = null;
        DateTimeOffset? observedAt = null;
        foreach (var (name, node) in attributes)
        {
            var expanded = EntityMembers.Contains(name) ? null : context.Expand(name);
            if (expanded is null || Descriptive.Contains(expanded))
            {
                continue;
            }
            // Normalized ({ type, value, observedAt }), concise ({ value, ... }) or a bare value (a Point for location).
            var (inner, time, unitCode) = node is JsonObject { } property && ((string?)(property["type"] as JsonValue) is "Property" or "GeoProperty"
                || property.ContainsKey("value"))
                ? (property["value"], property["observedAt"], (string?)(property["unitCode"] as JsonValue))
                : (node, null, null);
            switch (expanded)
            {
                case Sdm.Location when inner is JsonObject { } point && (string?)(point["type"] as JsonValue) == "Point":
                    location = point;
                    if (time is not null && !TryTime(time, out observedAt))
                    {
                        return Bad("location", "has an observedAt that is not a date-time.");
                    }
                    break;
                case Sdm.Location:
                    return Bad(name, "must be a GeoProperty holding a GeoJSON Point.");
                case Sdm.Speed when unitCode is not (null or Sdm.Units.KilometrePerHour):
                    return Bad(name, $"must be given in unitCode {Sdm.Units.KilometrePerHour}, not {unitCode}.");
                case Sdm.Speed when Number(inner) is { } kmh:
                    speed = kmh;
                    break;
                case Sdm.Heading when Number(inner) is { } degrees:
                    heading = degrees;
                    break;
                case Sdm.ServiceStatus when inner is JsonValue text && text.TryGetValue<string>(out var serviceStatus):
                    status = VehicleEntities.StatusOf(serviceStatus);
                    break;
                case Sdm.Speed or Sdm.Heading or Sdm.ServiceStatus:
                    return Bad(name, $"must be a Property with a {(expanded == Sdm.ServiceStatus ? "text" : "number")} value.");
                default:
                    return Bad(name, "is not part of a Vehicle's position report (location, speed, heading, serviceStatus).");
            }
        }
        if (location?["coordinates"] is not JsonArray { Count: 2 or 3 } coordinates || Number(coordinates[0]) is not { } lon || Number(coordinates[1]) is not { } lat)
        {
            return Bad("location", location is null
                ? "is required: a Vehicle written to the twin is a position report."
                : "must be a Point with [lon, lat] coordinates.");
        }
        var errors = new Dictionary<string, List<string>>();
        var request = new AssetPositionRequest(assetId, lat, lon, heading, speed, status, observedAt);
        if (await ingest.CheckAsync([request], errors) is not [var report])
        {
            var (field, messages) = errors.First();
            return Bad(AttributeOf(field), messages[0] + ".");
        }
        return (report, null);
    }

    /// <summary>Stores the reports, whole; false when they could not be stored (nothing was).</summary>
    public async Task<bool> StoreAsync(List<AssetReport> reports)
    {
        if (reports.Count == 0)
        {
            return true;
        }
        try
        {
            await ingest.IngestAsync(reports);
            return true;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OrleansException
                                       or IngestSaturatedException)
        {
            return false;
        }
    }

    /// <summary>One Vehicle written by itself: null once stored, else the problem.</summary>
    public async Task<IResult?> WriteAsync(string id, JsonObject attributes, LdContext context)
    {
        var (report, problem) = await ReadAsync(id, attributes, context);
        if (problem is not null)
        {
            return problem.ToResult();
        }
        return await StoreAsync([report!]) ? null : NotStored();
    }

    public static IResult NotStored() =>
        NgsiLdProblems.Problem(StatusCodes.Status503ServiceUnavailable, "InternalError", "Position not stored",
            "The twin could not store this position; it was not accepted. Retry shortly.");

    /// <summary>The attribute a position field came from.</summary>
    private static string AttributeOf(string field) => field[(field.IndexOf('.') + 1)..] switch
    {
        "lat" or "lon" => "location",
        "status" => "serviceStatus",
        "timestamp" => "observedAt",
        var other => other,
    };

    private static (AssetReport?, NgsiLdProblem?) Bad(string attribute, string message) =>
        (null, NgsiLdProblems.Item(400, "BadRequestData", $"Attribute '{attribute}' {message}"));

    private static double? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    private static bool TryTime(JsonNode node, out DateTimeOffset? time)
    {
        time = null;
        if (node is JsonValue value && value.TryGetValue<string>(out var text) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            time = parsed;
            return true;
        }
        return false;
    }
}
