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
    /// <summary>Reads options= (keyValues, simplified, concise, normalized, sysAttrs) and format=.</summary>
    public static RenderOptions Parse(string? options, string? format, IReadOnlySet<string>? attributes)
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
        return new RenderOptions(formats.FirstOrDefault(), sysAttrs, attributes);
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
            json[context.Compact(name)] = options.Format switch
            {
                EntityFormat.KeyValues => attribute.Value.DeepClone(),
                EntityFormat.Concise => Concise(attribute, options.SysAttrs, context),
                _ => Normalized(attribute, options.SysAttrs, context),
            };
        }
        return json;
    }

    private static JsonObject Normalized(NgsiAttribute attribute, bool sysAttrs, LdContext context)
    {
        var json = new JsonObject { ["type"] = attribute.Kind.ToString() };
        json[ValueMember(attribute)] = attribute.Value.DeepClone();
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
        var json = new JsonObject { [ValueMember(attribute)] = attribute.Value.DeepClone() };
        AddMetadata(json, attribute, sysAttrs, context);
        // A bare JSON object value would read as an attribute of its own; a GeoJSON geometry is recognised by its type.
        var bare = json.Count == 1 && attribute.Kind != AttributeKind.LanguageProperty && (attribute.Value is not JsonObject || attribute.Kind == AttributeKind.GeoProperty);
        return bare ? attribute.Value.DeepClone() : json;
    }

    private static string ValueMember(NgsiAttribute attribute) => attribute.Kind switch
    {
        AttributeKind.Relationship => "object",
        AttributeKind.LanguageProperty => "languageMap",
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
