using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd.Temporal;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Entities;

/// <summary>An entity or attribute fragment read from a request: id and type (expanded) when given, attributes by expanded name.</summary>
/// <param name="Attributes">A null attribute is a deletion (the value "urn:ngsi-ld:null" in a merge).</param>
public sealed record ParsedEntity(string? Id, string? Type, Dictionary<string, ContextAttribute?> Attributes);

/// <summary>
/// Reads NGSI-LD entities and attribute fragments (normalized or concise, GS CIM 009 clause 4.5) into the attributes
/// the twin keeps: Property, Relationship, GeoProperty, LanguageProperty, ListProperty, ListRelationship, JsonProperty and
/// VocabProperty, names (and vocab terms) expanded with the call's @context; an array of instances with distinct datasetIds is a
/// multi-attribute.
/// A bad member throws <see cref="NgsiLdRequestException"/> (BadRequestData) naming it; nothing is kept of a bad entity.
/// </summary>
public static class ContextEntityParser
{
    public const string NullMarker = "urn:ngsi-ld:null";
    private const string Core = "https://uri.etsi.org/ngsi-ld/";

    /// <summary>Members of an entity that are not attributes.</summary>
    private static readonly HashSet<string> EntityMembers = ["id", "type", "@id", "@type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"];

    /// <summary>Members of an attribute the twin reads itself; the rest are sub-attributes.</summary>
    private static readonly HashSet<string> AttributeMembers =
        ["type", "value", "object", "languageMap", "valueList", "objectList", "json", "vocab", "observedAt", "unitCode", "createdAt", "modifiedAt", "instanceId", "datasetId", "objectType", "lang"];

    private static readonly HashSet<string> GeometryTypes = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"];

    /// <param name="requireIdAndType">A whole entity (create, upsert, replace) needs both.</param>
    /// <param name="allowDeletes">A merge may delete an attribute with "urn:ngsi-ld:null".</param>
    public static ParsedEntity Entity(JsonObject entity, LdContext context, DateTimeOffset now, bool requireIdAndType, bool allowDeletes = false)
    {
        var (id, type) = IdAndType(entity, context);
        if (requireIdAndType && (id is null || type is null))
        {
            throw new NgsiLdRequestException(id is null ? "id: an entity needs an id (a URI)." : "type: an entity needs a type.");
        }
        var attributes = new Dictionary<string, ContextAttribute?>(StringComparer.Ordinal);
        foreach (var (name, node) in entity)
        {
            if (EntityMembers.Contains(name))
            {
                continue;
            }
            var expanded = Name(name, context);
            attributes[expanded] = Attribute(name, node, context, now, partial: false, allowDeletes);
        }
        return new ParsedEntity(id, type, attributes);
    }

    /// <summary>The entity's id and expanded type, each null when not given; the attributes are not read.</summary>
    public static (string? Id, string? Type) IdAndType(JsonObject entity, LdContext context)
    {
        var id = Text(entity["id"] ?? entity["@id"], "id");
        if (id is not null && !LdContext.IsAbsoluteIri(id))
        {
            throw new NgsiLdRequestException($"id: '{id}' is not a URI.");
        }
        return (id, TypeOf(entity["type"] ?? entity["@type"], context));
    }

    /// <summary>The fragment of PATCH /entities/{id}/attrs/{attr}: the members to change of one attribute.</summary>
    public static ContextAttribute Fragment(string name, JsonObject fragment, LdContext context, DateTimeOffset now) =>
        Attribute(name, fragment, context, now, partial: true, allowDeletes: false)!;

    /// <summary>An attribute name, checked and expanded.</summary>
    public static string Name(string name, LdContext context)
    {
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or '\'' or '=' or ';' or '(' or ')'))
        {
            throw new NgsiLdRequestException($"'{name}' is not an attribute name.");
        }
        return context.Expand(name);
    }

    private static ContextAttribute? Attribute(string name, JsonNode? node, LdContext context, DateTimeOffset now, bool partial, bool allowDeletes)
    {
        switch (node)
        {
            case null:
                throw new NgsiLdRequestException($"Attribute '{name}' is null; give a value.");
            case JsonArray instances:
                return partial ? throw new NgsiLdRequestException($"Attribute '{name}': a partial update changes one instance; name it with datasetId.")
                    : MultiAttribute(name, instances, context, now);
            case JsonValue scalar:
                // Concise: a bare value is a Property.
                return !IsNull(scalar) ? Kept(ContextAttributeKind.Property, scalar, null, null, null)
                    : allowDeletes ? null : throw new NgsiLdRequestException($"Attribute '{name}': '{NullMarker}' deletes only in a merge.");
        }
        var attribute = (JsonObject)node;
        var datasetId = Text(attribute["datasetId"], $"{name}.datasetId");
        if (datasetId is not null && !LdContext.IsAbsoluteIri(datasetId))
        {
            throw new NgsiLdRequestException($"{name}.datasetId: '{datasetId}' is not a URI.");
        }
        var declared = Text(attribute["type"], $"{name}.type");
        if (declared is not null && GeometryTypes.Contains(declared) && attribute["coordinates"] is not null)
        {
            // Concise GeoProperty: the GeoJSON geometry itself.
            return Kept(ContextAttributeKind.GeoProperty, Geometry(name, attribute), null, null, null);
        }
        var kind = declared switch
        {
            null => attribute["object"] is not null ? ContextAttributeKind.Relationship
                : attribute["languageMap"] is not null ? ContextAttributeKind.LanguageProperty
                : attribute["valueList"] is not null ? ContextAttributeKind.ListProperty
                : attribute["objectList"] is not null ? ContextAttributeKind.ListRelationship
                : attribute["json"] is not null ? ContextAttributeKind.JsonProperty
                : attribute["vocab"] is not null ? ContextAttributeKind.VocabProperty
                : attribute["value"] is JsonObject v && IsGeometry(v) ? ContextAttributeKind.GeoProperty
                : attribute["value"] is not null || partial ? ContextAttributeKind.Property
                : throw new NgsiLdRequestException($"Attribute '{name}' has no type and no value, object, languageMap, valueList, objectList, json or vocab."),
            _ => KindOf(declared.StartsWith(Core, StringComparison.Ordinal) ? declared[Core.Length..] : declared)
                ?? throw new NgsiLdRequestException($"Attribute '{name}': type '{declared}' is not Property, Relationship, GeoProperty, LanguageProperty, ListProperty, ListRelationship, JsonProperty or VocabProperty."),
        };
        var valueMember = ValueMember(kind);
        var value = attribute[valueMember];
        if (value is null && !partial)
        {
            throw new NgsiLdRequestException($"Attribute '{name}': a {kind} needs '{valueMember}'.");
        }
        if (value is JsonValue marker && IsNull(marker))
        {
            return allowDeletes ? null : throw new NgsiLdRequestException($"Attribute '{name}': '{NullMarker}' deletes only in a merge.");
        }
        if (value is not null)
        {
            value = kind switch
            {
                ContextAttributeKind.Relationship => Relationship(name, value),
                ContextAttributeKind.GeoProperty => value is JsonObject geometry && IsGeometry(geometry) ? Geometry(name, geometry)
                    : throw new NgsiLdRequestException($"Attribute '{name}': a GeoProperty's value is a GeoJSON geometry."),
                ContextAttributeKind.LanguageProperty => LanguageMap(name, value),
                ContextAttributeKind.ListProperty => value is JsonArray ? value
                    : throw new NgsiLdRequestException($"Attribute '{name}': a ListProperty's valueList is an array."),
                ContextAttributeKind.ListRelationship => ObjectList(name, value),
                ContextAttributeKind.VocabProperty => Vocab(name, value, context),
                _ => value,
            };
        }
        var observedAt = Text(attribute["observedAt"], $"{name}.observedAt") is { } at ? TemporalQuery.Time(at, $"{name}.observedAt") : (DateTimeOffset?)null;
        if (observedAt > now + History.HistoryWindow.MaxAhead)
        {
            throw new NgsiLdRequestException($"{name}.observedAt: {NgsiLdFormat.Time(observedAt.Value)} is more than a day ahead of the twin's clock.");
        }
        var unitCode = Text(attribute["unitCode"], $"{name}.unitCode");
        var members = new JsonObject();
        foreach (var (member, memberValue) in attribute)
        {
            if (!AttributeMembers.Contains(member))
            {
                members[Name(member, context)] = memberValue?.DeepClone();
            }
        }
        return Kept(kind, value, observedAt, unitCode, members.Count == 0 ? null : members) with { DatasetId = datasetId };
    }

    /// <summary>The member holding an attribute's value in the normalized representation.</summary>
    public static string ValueMember(ContextAttributeKind kind) => kind switch
    {
        ContextAttributeKind.Relationship => "object",
        ContextAttributeKind.LanguageProperty => "languageMap",
        ContextAttributeKind.ListProperty => "valueList",
        ContextAttributeKind.ListRelationship => "objectList",
        ContextAttributeKind.JsonProperty => "json",
        ContextAttributeKind.VocabProperty => "vocab",
        _ => "value",
    };

    /// <summary>Several instances of one attribute: at most one without datasetId, the others each with its own.</summary>
    private static ContextAttribute MultiAttribute(string name, JsonArray instances, LdContext context, DateTimeOffset now)
    {
        if (instances.Count == 0)
        {
            throw new NgsiLdRequestException($"Attribute '{name}' is an empty array; give at least one instance.");
        }
        if (instances.Count > ContextEntityWrites.MaxInstances)
        {
            throw new NgsiLdRequestException(
                $"Attribute '{name}' has {instances.Count} instances; an attribute holds at most {ContextEntityWrites.MaxInstances} (datasetIds).");
        }
        var parsed = new List<ContextAttribute>();
        var datasetIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (instance is not JsonObject)
            {
                throw new NgsiLdRequestException($"Attribute '{name}': each instance of a multi-attribute is an object.");
            }
            var one = Attribute(name, instance, context, now, partial: false, allowDeletes: false)!;
            // "" stands for the default instance: a datasetId is a URI, never empty.
            if (!datasetIds.Add(one.DatasetId ?? ""))
            {
                throw new NgsiLdRequestException(one.DatasetId is null
                    ? $"Attribute '{name}': at most one instance may go without datasetId."
                    : $"Attribute '{name}': datasetId '{one.DatasetId}' is given twice.");
            }
            parsed.Add(one);
        }
        return ContextAttribute.Of(parsed)!;
    }

    /// <summary>A vocab: a term or a non-empty list of terms, each expanded with the @context as a type name is.</summary>
    private static JsonNode Vocab(string name, JsonNode vocab, LdContext context) => vocab switch
    {
        JsonValue term when term.TryGetValue<string>(out var text) && text.Length > 0 => JsonValue.Create(context.Expand(text)),
        JsonArray { Count: > 0 } terms when terms.All(t => t is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0) =>
            new JsonArray([.. terms.Select(t => (JsonNode)JsonValue.Create(context.Expand(t!.GetValue<string>())))]),
        _ => throw new NgsiLdRequestException($"Attribute '{name}': a VocabProperty's vocab is a term or a list of terms."),
    };

    private static ContextAttribute Kept(ContextAttributeKind kind, JsonNode? value, DateTimeOffset? observedAt, string? unitCode, JsonObject? members) =>
        new(kind, value?.ToJsonString() ?? "", observedAt, unitCode, members?.ToJsonString(), default, default);

    private static ContextAttributeKind? KindOf(string type) => type switch
    {
        "Property" => ContextAttributeKind.Property,
        "Relationship" => ContextAttributeKind.Relationship,
        "GeoProperty" => ContextAttributeKind.GeoProperty,
        "LanguageProperty" => ContextAttributeKind.LanguageProperty,
        "ListProperty" => ContextAttributeKind.ListProperty,
        "ListRelationship" => ContextAttributeKind.ListRelationship,
        "JsonProperty" => ContextAttributeKind.JsonProperty,
        "VocabProperty" => ContextAttributeKind.VocabProperty,
        _ => null,
    };

    private static JsonNode Relationship(string name, JsonNode target) => target switch
    {
        JsonValue value when value.TryGetValue<string>(out var iri) && LdContext.IsAbsoluteIri(iri) => target,
        JsonArray list when list.Count > 0 && list.All(t => t is JsonValue v && v.TryGetValue<string>(out var iri) && LdContext.IsAbsoluteIri(iri)) => target,
        _ => throw new NgsiLdRequestException($"Attribute '{name}': a Relationship's object is a URI (or a list of URIs)."),
    };

    /// <summary>
    /// A ListRelationship's objectList (GS CIM 009 clause 4.5.21): an ordered array whose items are each {"object": URI}
    /// (or, concisely, the URI itself); kept as the array of URIs, in order.
    /// </summary>
    private static JsonArray ObjectList(string name, JsonNode list)
    {
        if (list is not JsonArray items)
        {
            throw new NgsiLdRequestException($"Attribute '{name}': a ListRelationship's objectList is an array of {{\"object\": URI}}.");
        }
        var targets = new JsonArray();
        for (var i = 0; i < items.Count; i++)
        {
            var target = items[i] is JsonObject item ? item["object"] : items[i];
            if (target is not JsonValue value || !value.TryGetValue<string>(out var iri) || !LdContext.IsAbsoluteIri(iri))
            {
                throw new NgsiLdRequestException($"Attribute '{name}': objectList[{i}] is not a URI (each item is {{\"object\": URI}}).");
            }
            targets.Add(iri);
        }
        return targets;
    }

    private static JsonNode LanguageMap(string name, JsonNode map) =>
        map is JsonObject languages && languages.Count > 0 && languages.All(l => l.Value is JsonValue v && v.TryGetValue<string>(out _))
            ? map
            : throw new NgsiLdRequestException($"Attribute '{name}': a languageMap is an object of language tag → string.");

    /// <summary>A GeoJSON geometry whose positions are [lon, lat] within range, checked as a geo-query would read it.</summary>
    private static JsonObject Geometry(string name, JsonObject geometry)
    {
        var type = Text(geometry["type"], $"{name}.type")!;
        try
        {
            Query.GeoQuery.Parse("intersects", type, geometry["coordinates"]!.ToJsonString(), ContextEntityWrites.Location);
        }
        catch (NgsiLdRequestException ex)
        {
            throw new NgsiLdRequestException($"Attribute '{name}': not a GeoJSON geometry the twin reads ({ex.Message}).");
        }
        return new JsonObject { ["type"] = type, ["coordinates"] = geometry["coordinates"]!.DeepClone() };
    }

    private static bool IsGeometry(JsonObject value) =>
        value["type"] is JsonValue type && type.TryGetValue<string>(out var name) && GeometryTypes.Contains(name) && value["coordinates"] is JsonArray;

    private static bool IsNull(JsonValue value) => value.TryGetValue<string>(out var text) && text == NullMarker;

    private static string? TypeOf(JsonNode? node, LdContext context) => node switch
    {
        null => null,
        JsonArray { Count: 1 } single => TypeOf(single[0], context),
        JsonArray => throw new NgsiLdRequestException("type: the twin keeps one type per entity."),
        _ => Text(node, "type") is { Length: > 0 } type && !type.Any(char.IsWhiteSpace)
            ? context.Expand(type)
            : throw new NgsiLdRequestException("type: not a type name."),
    };

    private static string? Text(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new NgsiLdRequestException($"{field}: must be a string."),
    };
}
