using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using IocTwin.Api.Apis;
using IocTwin.Api.Ingest;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// Observation entities written over NGSI-LD read back as the readings of their sensors: the inverse of
/// <see cref="SmartDataModels.Observation"/> (occupancy 0–1 → %, averageVehicleSpeed → speed, ...), each then checked by
/// the rules every reading obeys (<see cref="ReadingBatchParser.Validate"/>).
/// </summary>
public sealed class ObservationReadings(IGrainFactory grains, KnownEntities known)
{
    // A sensor's kind is fixed when it is registered: asked of its grain once per API process.
    private readonly ConcurrentDictionary<string, SensorKind> _kinds = new(StringComparer.Ordinal);

    /// <summary>Members of an entity that are not attributes.</summary>
    private static readonly HashSet<string> EntityMembers = ["id", "type", "@context", "scope", "createdAt", "modifiedAt"];

    /// <summary>Attributes that describe the observation rather than carry a value; what the twin writes, so a read entity can be sent back.</summary>
    private static readonly HashSet<string> Descriptive =
        [Sdm.Location, Sdm.RefDevice, Sdm.RefRoadSegment, Sdm.DateObserved, Sdm.ControlledProperty, Sdm.Name];

    /// <summary>
    /// The readings an entity (or an attribute fragment of entity <paramref name="id"/>) carries, one per distinct
    /// observedAt, all with <paramref name="index"/>; or the ETSI problem that refuses it.
    /// </summary>
    public async Task<(List<ParsedReading> Readings, NgsiLdProblem? Problem)> ReadAsync(
        int index, string? id, JsonObject attributes, LdContext context, DateTimeOffset now)
    {
        if (id is null || NgsiLdFormat.ParseUrn(id) is not var (shortType, sensorId) || !Sdm.Types.TryGetValue(shortType, out var type)
            || !SmartDataModels.ObservationTypes.Contains(shortType))
        {
            return Fail(NgsiLdProblems.Item(422, "OperationNotSupported",
                $"'{id}' is not the observation entity of a registered sensor (urn:ngsi-ld:<Type>:<sensorId>); the twin's other entities are not written through NGSI-LD."));
        }
        if (attributes["type"] is { } given && (given is not JsonValue value || !value.TryGetValue<string>(out var typeName) || context.Expand(typeName) != type))
        {
            return Fail(NgsiLdProblems.Item(400, "BadRequestData", $"The type {given.ToJsonString()} does not match the id '{id}'."));
        }
        if (!TopologyRules.IsValidId(sensorId) || !await known.ExistsAsync(EntityKind.Sensor, sensorId))
        {
            return Fail(NgsiLdProblems.Item(404, "ResourceNotFound", $"The twin has no registered sensor '{sensorId}'."));
        }
        var kind = await KindAsync(sensorId);
        if (SmartDataModels.ObservationType(kind) != shortType)
        {
            return Fail(NgsiLdProblems.Item(422, "OperationNotSupported",
                $"Sensor '{sensorId}' publishes its readings as {SmartDataModels.ObservationType(kind)}; {shortType} cannot be written."));
        }

        var dateObserved = TimeOf(attributes.FirstOrDefault(a => context.Expand(a.Key) == Sdm.DateObserved).Value);
        var byTime = new Dictionary<string, List<ReadingValue>>(StringComparer.Ordinal);
        var attributeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in attributes)
        {
            var expanded = EntityMembers.Contains(name) ? null : context.Expand(name);
            if (expanded is null || Descriptive.Contains(expanded))
            {
                continue;
            }
            if (SmartDataModels.ReadingOf(kind, expanded) is not { } mapping)
            {
                return Fail(BadAttribute(name, $"is not a value a {shortType} of a {kind} sensor carries."));
            }
            var (valueNode, observedAt, unitCode) = node switch
            {
                JsonObject property => (property["value"], TimeOf(property["observedAt"]), (string?)(property["unitCode"] as JsonValue)),
                JsonArray => (null, null, null),
                _ => (node, null, null),
            };
            if (unitCode is not null && mapping.Unit is { } unit && unitCode != unit)
            {
                return Fail(BadAttribute(name, $"must be given in unitCode {unit}, not {unitCode}."));
            }
            if (mapping.ReadBack(valueNode) is not { } reading)
            {
                return Fail(BadAttribute(name, "must be a single Property with a " + (mapping.Inverse is null ? "number value." : "value the model defines.")));
            }
            attributeOf[mapping.Reading] = name;
            var at = observedAt ?? dateObserved ?? now.ToString("O", CultureInfo.InvariantCulture);
            (byTime.TryGetValue(at, out var values) ? values : byTime[at] = []).Add(new ReadingValue(mapping.Reading, reading));
        }
        if (byTime.Count == 0)
        {
            return Fail(NgsiLdProblems.Item(400, "BadRequestData", $"'{id}' carries none of the values a {shortType} of this sensor reports."));
        }
        var readings = new List<ParsedReading>(byTime.Count);
        foreach (var (at, values) in byTime)
        {
            if (ReadingBatchParser.Validate(sensorId, at, values, now, out var parsed) is { } error)
            {
                var reading = error.Field.StartsWith("values.", StringComparison.Ordinal) ? error.Field[7..] : null;
                var problem = reading is not null && attributeOf.TryGetValue(reading, out var attribute)
                    ? BadAttribute(attribute, $"{error.Message} (in the twin's unit, as its value '{reading}').")
                    : error.Field == "timestamp" ? BadAttribute("observedAt", error.Message + ".") : BadAttribute(error.Field, error.Message + ".");
                return Fail(problem);
            }
            readings.Add(new ParsedReading(index, parsed.SensorId, parsed.Reading));
        }
        return (readings, null);
    }

    private static (List<ParsedReading>, NgsiLdProblem?) Fail(NgsiLdProblem problem) => ([], problem);

    private static NgsiLdProblem BadAttribute(string name, string message) =>
        NgsiLdProblems.Item(400, "BadRequestData", $"Attribute '{name}' {message}");

    /// <summary>A time as NGSI-LD writes it: a string, a DateTime value object, or a Property holding either.</summary>
    private static string? TimeOf(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonObject o when o["@value"] is { } inner => TimeOf(inner),
        JsonObject o when o["value"] is { } inner => TimeOf(inner),
        _ => null,
    };

    private async Task<SensorKind> KindAsync(string sensorId)
    {
        if (_kinds.TryGetValue(sensorId, out var kind))
        {
            return kind;
        }
        kind = (await grains.GetGrain<ISensorGrain>(sensorId).Get())!.Kind;
        _kinds.TryAdd(sensorId, kind);
        return kind;
    }
}
