using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>
/// Reads and checks interventions. Read by hand rather than bound, so that a missing or unknown kind is a 400 naming
/// "kind" like any other bad field; each kind is then checked by what its record needs, before the simulation checks
/// it against the city.
/// </summary>
public static class InterventionRequests
{
    // The kind may come anywhere in the object, as it could before interventions were typed.
    private static readonly JsonSerializerOptions Json = new(TwinJson.Options) { AllowOutOfOrderMetadataProperties = true };

    public static async Task<(InterventionSpec? Value, ValidationProblem? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<JsonObject>(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }
        var errors = new Dictionary<string, List<string>>();
        var intervention = Read(body!, "", errors);
        return errors.Count > 0 ? (null, Problems.Fields(errors)) : (intervention, null);
    }

    /// <summary>The intervention in <paramref name="body"/>, or null with the problems added under <paramref name="prefix"/>.</summary>
    public static InterventionSpec? Read(JsonObject body, string prefix, Dictionary<string, List<string>> errors)
    {
        if (body["kind"] is not JsonValue kind || !kind.TryGetValue<string>(out var name) || !InterventionKinds.All.Contains(name))
        {
            errors.AddError(prefix + "kind", $"must be one of {string.Join(", ", InterventionKinds.All)}");
            return null;
        }
        try
        {
            return body.Deserialize<InterventionSpec>(Json);
        }
        catch (JsonException ex)
        {
            errors.AddError(prefix + JsonBody.FieldName(ex.Path), JsonBody.FirstSentence(ex.Message));
            return null;
        }
    }

    /// <summary>What the intervention's kind needs, with each problem under <paramref name="prefix"/> + the field's name.</summary>
    public static void Validate(InterventionSpec intervention, int horizonMinutes, string prefix, Dictionary<string, List<string>> errors)
    {
        void Problem(string field, string message) => errors.AddError(prefix + field, message);
        switch (intervention)
        {
            case SegmentInterventionSpec segment when !TopologyRules.IsValidId(segment.SegmentId):
                Problem("segmentId", "is required for " + intervention.Kind);
                break;
            case RainSpec rain when !TopologyRules.IsValidId(rain.DistrictId):
                Problem("districtId", "is required for rain");
                break;
        }
        switch (intervention)
        {
            case CapacitySpec { Value: not (> 0 and <= 30_000) }:
                Problem("value", "is the new capacity in vehicles per hour, more than 0 and at most 30,000"); break;
            case SpeedLimitSpec { Value: not (>= 5 and <= 150) }:
                Problem("value", "is the new speed limit in km/h, 5 to 150"); break;
            case IncidentSpec { Value: not null and not (> 0 and <= 1) }:
                Problem("value", "is the share of capacity lost, more than 0 and at most 1"); break;
            case RainSpec { Value: not (>= 0 and <= 500) }:
                Problem("value", "is the rainfall in mm/h, 0 to 500"); break;
            case DemandSpec { Value: not (> 0 and <= 10_000_000) }:
                Problem("value", "is the number of added trips, more than 0"); break;
        }
        var start = intervention.StartMinute;
        if (start < 0 || start >= horizonMinutes) Problem("startMinute", $"must be within the run, 0 to {horizonMinutes}");
        if (intervention.EndMinute is { } end && end <= start) Problem("endMinute", "must be after startMinute");
    }
}
