using System.Text.Json.Nodes;

namespace IocTwin.Api.NgsiLd;

public enum EntityFormat
{
    Normalized,
    KeyValues,
    Concise,
}

/// <summary>How a request asked entities to be written: representation, system attributes, chosen attributes.</summary>
public sealed record RenderOptions(EntityFormat Format, bool SysAttrs, IReadOnlySet<string>? Attributes)
{
    /// <summary>What names an attribute's default instance (the one without a datasetId) in a datasetId selection.</summary>
    public const string DefaultInstance = "@none";

    /// <summary>The attribute instances chosen by datasetId (<see cref="DefaultInstance"/> for the default one); null: all.</summary>
    public IReadOnlySet<string>? DatasetIds { get; init; }

    /// <summary>Reads options= (keyValues, simplified, concise, normalized, sysAttrs), format= and datasetId=.</summary>
    public static RenderOptions Parse(string? options, string? format, IReadOnlySet<string>? attributes, string? datasetId = null)
    {
        var formats = new List<EntityFormat>();
        var sysAttrs = false;
        foreach (var option in (options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (option == "sysAttrs") sysAttrs = true;
            else formats.Add(FormatOf(option, "options"));
        }
        if (format is not null)
        {
            formats = [FormatOf(format, "format")];
        }
        if (formats.Distinct().Count() > 1)
        {
            throw new NgsiLdRequestException("options: choose one of normalized, keyValues and concise.");
        }
        return new RenderOptions(formats.FirstOrDefault(), sysAttrs, attributes) { DatasetIds = DatasetIdsOf(datasetId) };
    }

    /// <summary>datasetId= (GS CIM 009 clause 4.5.5): a comma-separated list of URIs, "@none" for the default instance.</summary>
    public static HashSet<string>? DatasetIdsOf(string? datasetId)
    {
        if (datasetId is null)
        {
            return null;
        }
        var ids = datasetId.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            throw new NgsiLdRequestException("datasetId: name at least one datasetId (a URI), or @none for the default instance.");
        }
        if (ids.FirstOrDefault(id => id != DefaultInstance && !LdContext.IsAbsoluteIri(id)) is { } bad)
        {
            throw new NgsiLdRequestException($"datasetId: '{bad}' is not a URI (or @none for the default instance).");
        }
        return ids;
    }

    private static EntityFormat FormatOf(string option, string field) => option switch
    {
        "keyValues" or "simplified" => EntityFormat.KeyValues,
        "concise" => EntityFormat.Concise,
        "normalized" => EntityFormat.Normalized,
        _ => throw new NgsiLdRequestException($"{field}: '{option}' is not one of keyValues, simplified, concise, normalized, sysAttrs."),
    };
}

/// <summary>Writes an entity in the normalized, concise or keyValues representation, names compacted with the request's context.</summary>
public static class EntityRenderer
{
    public static JsonObject Render(NgsiEntity entity, RenderOptions options, LdContext context)
    {
        var json = new JsonObject { ["id"] = entity.Id, ["type"] = context.Compact(entity.Type) };
        if (options.SysAttrs && options.Format != EntityFormat.KeyValues)
        {
            if (entity.CreatedAt is { } created) json["createdAt"] = NgsiLdFormat.Time(created);
            if (entity.ModifiedAt is { } modified) json["modifiedAt"] = NgsiLdFormat.Time(modified);
        }
        foreach (var (name, attribute) in entity.Attributes.OrderBy(a => context.Compact(a.Key), StringComparer.Ordinal))
        {
            if (options.Attributes is { } wanted && !wanted.Contains(name))
            {
                continue;
            }
            List<NgsiAttribute> instances = [.. attribute.Instances.Where(i => options.DatasetIds?.Contains(i.DatasetId ?? RenderOptions.DefaultInstance) ?? true)];
            if (instances.Count == 0)
            {
                // None of the instances asked for: the attribute is left out, as one not asked for in attrs.
                continue;
            }
            json[context.Compact(name)] = instances.Count == 1 ? RenderInstance(instances[0], options, context)
                : options.Format == EntityFormat.KeyValues ? KeyValuesDataset(instances, context)
                : new JsonArray([.. instances.Select(i => RenderInstance(i, options, context))]);
        }
        return json;
    }

    private static JsonNode RenderInstance(NgsiAttribute attribute, RenderOptions options, LdContext context) => options.Format switch
    {
        EntityFormat.KeyValues => OutValue(attribute, context),
        EntityFormat.Concise => Concise(attribute, options.SysAttrs, context),
        _ => Normalized(attribute, options.SysAttrs, context),
    };

    /// <summary>A multi-attribute in keyValues: {"dataset": {datasetId or "@none": value}} (GS CIM 009 clause 4.5.4).</summary>
    private static JsonObject KeyValuesDataset(IEnumerable<NgsiAttribute> instances, LdContext context) => new()
    {
        ["dataset"] = new JsonObject(instances.Select(i => KeyValuePair.Create(i.DatasetId ?? RenderOptions.DefaultInstance, (JsonNode?)OutValue(i, context)))),
    };

    /// <summary>The value as written out: a vocab's terms compacted with the request's context, any other value as kept.</summary>
    private static JsonNode OutValue(NgsiAttribute attribute, LdContext context) => attribute.Kind != AttributeKind.VocabProperty
        ? attribute.Value.DeepClone()
        : attribute.Value is JsonArray terms ? new JsonArray([.. terms.Select(t => (JsonNode)JsonValue.Create(context.Compact(t!.GetValue<string>())))])
        : JsonValue.Create(context.Compact(attribute.Value.GetValue<string>()));

    /// <summary>
    /// The value member as normalized and concise write it: a ListRelationship's objectList as [{"object": URI}, ...]
    /// (GS CIM 009 clause 4.5.21); keyValues gives the bare list of URIs.
    /// </summary>
    private static JsonNode MemberValue(NgsiAttribute attribute, LdContext context) => attribute.Kind == AttributeKind.ListRelationship
        ? new JsonArray([.. attribute.Value.AsArray().Select(target => (JsonNode)new JsonObject { ["object"] = target?.DeepClone() })])
        : OutValue(attribute, context);

    private static JsonObject Normalized(NgsiAttribute attribute, bool sysAttrs, LdContext context)
    {
        var json = new JsonObject { ["type"] = attribute.Kind.ToString() };
        json[ValueMember(attribute)] = MemberValue(attribute, context);
        AddMetadata(json, attribute, sysAttrs, context);
        return json;
    }

    /// <summary>Concise: a Property with nothing but a value is the bare value; a Relationship is {object}; no "type".</summary>
    private static JsonNode Concise(NgsiAttribute attribute, bool sysAttrs, LdContext context)
    {
        if (attribute.Kind == AttributeKind.Relationship)
        {
            var relationship = new JsonObject { ["object"] = attribute.Value.DeepClone() };
            AddMetadata(relationship, attribute, sysAttrs, context);
            return relationship;
        }
        var json = new JsonObject { [ValueMember(attribute)] = MemberValue(attribute, context) };
        AddMetadata(json, attribute, sysAttrs, context);
        // A bare JSON object value would read as an attribute of its own, a bare array as instances; a GeoJSON geometry is
        // recognised by its type. Only a Property or a GeoProperty goes bare.
        var bare = json.Count == 1 && (attribute.Kind == AttributeKind.GeoProperty
            || (attribute.Kind == AttributeKind.Property && attribute.Value is not (JsonObject or JsonArray)));
        return bare ? attribute.Value.DeepClone() : json;
    }

    private static string ValueMember(NgsiAttribute attribute) => attribute.Kind switch
    {
        AttributeKind.Relationship => "object",
        AttributeKind.LanguageProperty => "languageMap",
        AttributeKind.ListProperty => "valueList",
        AttributeKind.ListRelationship => "objectList",
        AttributeKind.JsonProperty => "json",
        AttributeKind.VocabProperty => "vocab",
        _ => "value",
    };

    private static void AddMetadata(JsonObject json, NgsiAttribute attribute, bool sysAttrs, LdContext context)
    {
        if (attribute.ObservedAt is { } observed)
        {
            json["observedAt"] = NgsiLdFormat.Time(observed);
        }
        if (attribute.UnitCode is { } unit)
        {
            json["unitCode"] = unit;
        }
        if (attribute.DatasetId is { } datasetId)
        {
            json["datasetId"] = datasetId;
        }
        foreach (var (name, member) in attribute.Members ?? [])
        {
            json[context.Compact(name)] = member?.DeepClone();
        }
        if (sysAttrs)
        {
            if (attribute.CreatedAt is { } created) json["createdAt"] = NgsiLdFormat.Time(created);
            if ((attribute.ModifiedAt ?? attribute.ObservedAt) is { } modified) json["modifiedAt"] = NgsiLdFormat.Time(modified);
        }
    }
}
