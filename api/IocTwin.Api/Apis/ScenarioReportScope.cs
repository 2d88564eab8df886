using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Grains;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>
/// What of a scenario an OC may see and change, by the same rules as the live twin: its own districts and segments,
/// and none of the city-wide figures (the live city view is the IOC's too).
/// </summary>
public static class ScenarioReportScope
{
    // Kept for an OC, by name: a field added to the report later stays the IOC's until it is listed here.
    // How far each assignment converged says how far to trust the report, and holds no place or figure of the city.
    private static readonly string[] PlainFields =
        ["scenarioId", "horizonMinutes", "stepSeconds", "startTimeOfDay", "wallClockSeconds", "baselineAssignments", "scenarioAssignments"];

    /// <summary>The report with only what the caller may see; the rest left out.</summary>
    public static JsonObject Restrict(JsonObject report, TwinAccess access)
    {
        var restricted = new JsonObject();
        foreach (var field in PlainFields)
        {
            restricted[field] = report[field]?.DeepClone();
        }
        var segments = Items(report["segments"]).Where(s => SeesSegment(s, access)).ToList();
        var visibleSegments = segments.Select(s => (string?)s["segmentId"]).ToHashSet(StringComparer.Ordinal);
        restricted["segments"] = Array(segments);
        restricted["closedSegmentIds"] = Array(Items(report["closedSegmentIds"]).Where(id => visibleSegments.Contains((string?)id)));
        restricted["floodedSegmentIds"] = Array(Items(report["floodedSegmentIds"]).Where(id => visibleSegments.Contains((string?)id)));
        var delta = report["delta"];
        restricted["delta"] = new JsonObject
        {
            ["districts"] = Array(Items(delta?["districts"]).Where(d => SeesDistrict(d["districtId"], access))),
            ["odPairs"] = Array(Items(delta?["odPairs"]).Where(p => SeesDistrict(p["originDistrictId"], access) && SeesDistrict(p["destinationDistrictId"], access))),
            ["mostAffectedSegments"] = Array(Items(delta?["mostAffectedSegments"]).Where(s => SeesSegment(s, access))),
        };
        return restricted;
    }

    /// <summary>A 403 naming the field when an OC's intervention reaches outside its scope; null when it stays within.</summary>
    public static async Task<ProblemHttpResult?> OutsideScopeAsync(InterventionRequest body, TwinAccess access, IGrainFactory grains)
    {
        // An unknown segment is left to the simulation's own check, which names it.
        if (body.SegmentId is { } segmentId && await grains.GetGrain<IRoadSegmentGrain>(segmentId).Get() is { } segment &&
            !access.CanSeeSegment(segment.DistrictId))
        {
            return Outside("segmentId", $"segment '{segmentId}'");
        }
        if (body.Kind == InterventionKinds.Rain && !access.CanSeeAllOfDistrict(body.DistrictId ?? ""))
        {
            return Outside("districtId", $"district '{body.DistrictId}'");
        }
        if (body.Kind == InterventionKinds.Demand)
        {
            // No end is the whole city: the IOC's.
            if (!access.CanSeeAllOfDistrict(body.OriginDistrictId ?? "")) return Outside("originDistrictId", $"district '{body.OriginDistrictId ?? "(the city)"}'");
            if (!access.CanSeeAllOfDistrict(body.DestinationDistrictId ?? "")) return Outside("destinationDistrictId", $"district '{body.DestinationDistrictId ?? "(the city)"}'");
        }
        return null;
    }

    private static ProblemHttpResult Outside(string field, string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope",
            detail: $"Your token does not cover {what}.", extensions: new Dictionary<string, object?> { ["field"] = field });

    private static bool SeesSegment(JsonNode segment, TwinAccess access) =>
        segment["districtId"] is JsonValue district && district.TryGetValue<string>(out var id) && access.CanSeeSegment(id);

    private static bool SeesDistrict(JsonNode? district, TwinAccess access) =>
        district is JsonValue value && value.TryGetValue<string>(out var id) && access.CanSeeDistrict(id);

    private static IEnumerable<JsonNode> Items(JsonNode? array) => (array as JsonArray ?? []).OfType<JsonNode>();

    private static JsonArray Array(IEnumerable<JsonNode> items) => [.. items.Select(i => i.DeepClone())];
}
