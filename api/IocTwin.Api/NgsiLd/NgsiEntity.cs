using System.Text.Json.Nodes;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd;

public enum AttributeKind
{
    Property,
    Relationship,
    GeoProperty,
    LanguageProperty,
    ListProperty,
    JsonProperty,
    VocabProperty,
    ListRelationship,
}

/// <summary>
/// One attribute of an entity, with its name kept expanded (an IRI) inside the twin; compacted only when written out.
/// <see cref="Value"/> is the Property's value, the GeoProperty's GeoJSON geometry, the Relationship's object, the
/// LanguageProperty's languageMap, the ListProperty's valueList, the JsonProperty's json, the VocabProperty's vocab
/// (expanded) or the ListRelationship's target URIs in order. A multi-attribute is its first instance holding the others in <see cref="MoreInstances"/>.
/// </summary>
public sealed record NgsiAttribute(AttributeKind Kind, JsonNode Value, DateTimeOffset? ObservedAt = null, string? UnitCode = null)
{
    /// <summary>Sub-attributes (names expanded) of a context entity's attribute; none for the twin's own.</summary>
    public JsonObject? Members { get; init; }

    /// <summary>When a context entity's attribute was created and last changed; the twin's own have their observedAt.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? ModifiedAt { get; init; }

    /// <summary>The instance's datasetId; null for the default instance.</summary>
    public string? DatasetId { get; init; }

    /// <summary>The attribute's other instances (a multi-attribute); null when it has one.</summary>
    public IReadOnlyList<NgsiAttribute>? MoreInstances { get; init; }

    /// <summary>Every instance, this one first.</summary>
    public IEnumerable<NgsiAttribute> Instances => MoreInstances is null ? [this] : [this, .. MoreInstances];

    public static NgsiAttribute Property(JsonNode value, DateTimeOffset? observedAt = null, string? unitCode = null) =>
        new(AttributeKind.Property, value, observedAt, unitCode);

    public static NgsiAttribute Relationship(string target) => new(AttributeKind.Relationship, JsonValue.Create(target));

    public static NgsiAttribute Geo(JsonObject geometry) => new(AttributeKind.GeoProperty, geometry);

    public static NgsiAttribute DateTime(DateTimeOffset time) =>
        Property(new JsonObject { ["@type"] = "DateTime", ["@value"] = NgsiLdFormat.Time(time) });
}

/// <summary>
/// An entity of the twin as NGSI-LD sees it: id, expanded type and attributes. <see cref="DistrictId"/> and
/// <see cref="Sector"/> are where it belongs, for scoping; they are never written out.
/// </summary>
public sealed record NgsiEntity(
    string Id, string Type, IReadOnlyDictionary<string, NgsiAttribute> Attributes, string DistrictId, Sector? Sector)
{
    /// <summary>Where the entity's past values are kept, for temporal queries; null when the twin keeps none.</summary>
    public Temporal.HistorySource? History { get; init; }

    private readonly DateTimeOffset? _modifiedAt;

    /// <summary>When a context entity was created; the twin's own entities have none.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When a context entity last changed; for the twin's own, the newest observation behind it.</summary>
    public DateTimeOffset? ModifiedAt
    {
        get => _modifiedAt ?? Attributes.Values.Max(a => a.ObservedAt);
        init => _modifiedAt = value;
    }
}

public static class NgsiLdFormat
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Urn(string type, string localId) => $"urn:ngsi-ld:{type}:{localId}";

    /// <summary>"urn:ngsi-ld:RoadSegment:seg-1" → ("RoadSegment", "seg-1"); null for an id of another form.</summary>
    public static (string Type, string LocalId)? ParseUrn(string id)
    {
        const string prefix = "urn:ngsi-ld:";
        if (!id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = id[prefix.Length..];
        var colon = rest.IndexOf(':');
        return colon <= 0 || colon == rest.Length - 1 ? null : (rest[..colon], rest[(colon + 1)..]);
    }
}
