namespace IocTwin.Model;

/// <summary>The NGSI-LD attribute types a context entity holds (new kinds are added at the end: stored by number).</summary>
public enum ContextAttributeKind
{
    Property,
    Relationship,
    GeoProperty,
    LanguageProperty,
    /// <summary>An ordered array of values ("valueList").</summary>
    ListProperty,
    /// <summary>A JSON value kept as JSON, not expanded as JSON-LD ("json").</summary>
    JsonProperty,
    /// <summary>A term or list of terms expanded with the @context like a type ("vocab").</summary>
    VocabProperty,
    /// <summary>An ordered list of target entity URIs ("objectList"), kept as the array of URIs.</summary>
    ListRelationship,
}

/// <summary>
/// One attribute of a context entity as stored: its kind, its value (the Property's value, the Relationship's object,
/// the GeoProperty's geometry, the LanguageProperty's languageMap, the ListProperty's valueList, the JsonProperty's
/// json, the ListRelationship's objectList as an array of URIs, the VocabProperty's expanded vocab) as JSON text, its observedAt and unitCode, and any other members
/// (sub-attributes, names expanded to IRIs) as a JSON object text. A multi-attribute (GS CIM 009 clause 4.5.5) is
/// stored as its first instance (the default one, without datasetId, when it has one) holding the others in
/// <see cref="MoreInstances"/>, each with its <see cref="DatasetId"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ContextAttribute(
    [property: Id(0)] ContextAttributeKind Kind,
    [property: Id(1)] string ValueJson,
    [property: Id(2)] DateTimeOffset? ObservedAt,
    [property: Id(3)] string? UnitCode,
    [property: Id(4)] string? MembersJson,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset ModifiedAt)
{
    /// <summary>The instance's datasetId (a URI); null for the default instance.</summary>
    [Id(7)] public string? DatasetId { get; init; }

    /// <summary>The attribute's other instances, each with a datasetId; null when it has one instance.</summary>
    [Id(8)] public IReadOnlyList<ContextAttribute>? MoreInstances { get; init; }

    /// <summary>Every instance, the default (or first) one first, none holding others.</summary>
    public IEnumerable<ContextAttribute> Instances => MoreInstances is null ? [this] : [this with { MoreInstances = null }, .. MoreInstances];

    /// <summary>The attribute made of these instances (the default one first); null when there are none.</summary>
    public static ContextAttribute? Of(IEnumerable<ContextAttribute> instances)
    {
        var ordered = instances.Select(i => i with { MoreInstances = null }).OrderBy(i => i.DatasetId is not null).ToList();
        return ordered.Count == 0 ? null : ordered[0] with { MoreInstances = ordered.Count > 1 ? [.. ordered.Skip(1)] : null };
    }
}

/// <summary>
/// An NGSI-LD entity of a type the twin does not model itself, kept as given: id, expanded type, attributes by expanded
/// name, and the district its location lies in (null when none), which scopes who may see it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ContextEntity(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] IReadOnlyDictionary<string, ContextAttribute> Attributes,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset ModifiedAt,
    [property: Id(5)] string? DistrictId);

/// <summary>What the context entity index keeps of an entity: enough to select it by type, id and scope unread.</summary>
[GenerateSerializer, Immutable]
public sealed record ContextEntityEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] string? DistrictId);

/// <summary>How a write treats the entity and the attributes it already has (GS CIM 009 clause 5.6).</summary>
public enum ContextWriteMode
{
    /// <summary>Create Entity: refused when the entity exists.</summary>
    Create,
    /// <summary>Replace Entity: all attributes replaced; the entity must exist.</summary>
    Replace,
    /// <summary>Batch upsert with options=replace (the default): created, or replaced whole.</summary>
    UpsertReplace,
    /// <summary>Batch upsert with options=update: created, or its attributes appended and overwritten.</summary>
    UpsertUpdate,
    /// <summary>Merge Entity: attributes merged member by member; "urn:ngsi-ld:null" deletes one.</summary>
    Merge,
    /// <summary>Append Entity Attributes: added, existing ones overwritten.</summary>
    Append,
    /// <summary>Append Entity Attributes with options=noOverwrite: existing ones left as they are (not updated).</summary>
    AppendNoOverwrite,
    /// <summary>Update Entity Attributes: existing ones replaced; others not updated.</summary>
    Update,
    /// <summary>Partial Attribute Update: the one attribute's members merged; it must exist.</summary>
    UpdateAttribute,
    /// <summary>Delete Entity Attribute: it must exist.</summary>
    DeleteAttribute,
    /// <summary>Delete Entity.</summary>
    Delete,
}

/// <summary>
/// A write to a context entity: the mode, the entity's type (for a write that may create it), the attributes (expanded
/// names; a null attribute deletes in <see cref="ContextWriteMode.Merge"/>), the attribute named by the path for
/// attribute writes, and the district of the location given (computed by the writer).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ContextEntityWrite(
    [property: Id(0)] ContextWriteMode Mode,
    [property: Id(1)] string? Type,
    [property: Id(2)] IReadOnlyDictionary<string, ContextAttribute?> Attributes,
    [property: Id(3)] string? AttributeName,
    [property: Id(4)] string? DistrictId,
    [property: Id(5)] bool LocationGiven)
{
    /// <summary>Delete Entity Attribute: the instance of this datasetId (null: the default instance).</summary>
    [Id(6)] public string? DatasetId { get; init; }

    /// <summary>Delete Entity Attribute with deleteAll=true: every instance.</summary>
    [Id(7)] public bool AllInstances { get; init; }
}

public enum ContextWriteStatus
{
    Created,
    Updated,
    Deleted,
    NotFound,
    AlreadyExists,
    /// <summary>The type given is not the entity's.</summary>
    TypeMismatch,
    /// <summary>The twin holds as many context entities as it may: none is created.</summary>
    Full,
    /// <summary>An attribute would hold more instances than ContextEntityWrites.MaxInstances: nothing is written.</summary>
    TooManyInstances,
}

/// <summary>What a write did: its status and the attributes it left alone (name → reason), for a 207 notUpdated.</summary>
[GenerateSerializer, Immutable]
public sealed record ContextWriteOutcome(
    [property: Id(0)] ContextWriteStatus Status,
    [property: Id(1)] IReadOnlyDictionary<string, string> NotUpdated);

public enum ContextChangeKind
{
    Created,
    Updated,
    Deleted,
}

/// <summary>A change to a context entity, as every API process hears of it: which entity, and which attributes changed.</summary>
[GenerateSerializer, Immutable]
public sealed record ContextEntityChange(
    [property: Id(0)] string EntityId,
    [property: Id(1)] string Type,
    [property: Id(2)] string[] Attributes,
    [property: Id(3)] ContextChangeKind Kind,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string? DistrictId);
