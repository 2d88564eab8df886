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
    /// <summary>Interventions a scenario may be created with; more are added one by one.</summary>
    public const int MaxAtCreation = 50;

    // The kind may come anywhere in the object, as it could before interventions were typed.
    private static readonly JsonSerializerOptions Json = new(TwinJson.Options) { AllowOutOfOrderMetadataProperties = true };

    public static async Task<(InterventionSpec? Value, ValidationProblem? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }
        var errors = new Dictionary<string, List<string>>();
        var intervention = Read(body!, "", errors);
        return errors.Count > 0 ? (null, Problems.Fields(errors)) : (intervention, null);
    }

    /// <summary>
    /// The body as a JSON object whose fields can be read one by one. A name given twice keeps its last value, as
    /// when a body is bound to a record (a <see cref="JsonObject"/> read directly would throw on it).
    /// </summary>
    public static async Task<(JsonObject? Body, ValidationProblem? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadAsync<JsonDocument>(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }
        using (document)
        {
            return document!.RootElement.ValueKind == JsonValueKind.Object
                ? ((JsonObject)ToNode(document.RootElement)!, null)
                : (null, Problems.Field("body", "The body must be a JSON object."));
        }
    }

    private static JsonNode? ToNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(element.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, ToNode(g.Last().Value)))),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(ToNode)]),
        _ => JsonValue.Create(element.Clone()),
    };

    /// <summary>
    /// The interventions of a new scenario's "interventions" (absent or null: none), each problem named by its place,
    /// e.g. "interventions[1].segmentId".
    /// </summary>
    public static List<InterventionSpec> ReadList(JsonNode? interventions, int horizonMinutes, Dictionary<string, List<string>> errors)
    {
        if (interventions is null)
        {
            return [];
        }
        if (interventions is not JsonArray items || items.Count > MaxAtCreation)
        {
            errors.AddError("interventions", $"is a list of at most {MaxAtCreation} interventions");
            return [];
        }
        var read = new List<InterventionSpec>();
        for (var i = 0; i < items.Count; i++)
        {
            var prefix = $"interventions[{i}].";
            if (items[i] is not JsonObject item)
            {
                errors.AddError($"interventions[{i}]", "is an intervention object");
            }
            else if (Read(item, prefix, errors) is { } intervention)
            {
                Validate(intervention, horizonMinutes, prefix, errors);
                read.Add(intervention);
            }
        }
        return read;
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
            errors.AddError(prefix + BadRequestBodyHandler.FieldName(ex.Path), BadRequestBodyHandler.FirstSentence(ex.Message));
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
