using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.Extensions.Configuration;

namespace IocTwin.Hosting.Sectors;

/// <summary>
/// The "Twin:Sectors" section: sectors and sensor kinds the city adds to the defaults (or redefines, by id). Read once as
/// the process starts; a catalogue that breaks a rule stops the start with every problem named.
/// </summary>
public sealed class SectorSettings
{
    public const string SectionName = "Twin:Sectors";

    public List<SectorDefinition>? Sectors { get; set; }

    public List<SensorKindDefinition>? Kinds { get; set; }

    /// <summary>The configured catalogue, or null when the section is absent (the defaults apply).</summary>
    public static SectorCatalogDocument? Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        if (!section.Exists())
        {
            return null;
        }
        // Read through JSON rather than the configuration binder: the definitions are positional records, which the
        // binder builds in one host and silently leaves out in another.
        var settings = ToJson(section).Deserialize<SectorSettings>(Json) ?? new SectorSettings();
        var document = DefaultSectors.With(settings.Sectors, settings.Kinds);
        var problems = SectorCatalogRules.ValidateSectors(document.Sectors, document.Kinds)
            .Select(p => ("Sectors" + p.Field, p.Message))
            .Concat(SectorCatalogRules.ValidateKinds(document.Kinds, document.Sectors).Select(p => ("Kinds" + p.Field, p.Message)))
            .ToList();
        return problems.Count == 0 ? document : throw new InvalidOperationException(
            $"The {SectionName} section ({settings.Sectors?.Count ?? 0} sectors, {settings.Kinds?.Count ?? 0} kinds) is not a valid catalogue " +
            "(fields counted after the defaults): " +
            string.Join("; ", problems.Select(p => $"{p.Item1}: {p.Message}")));
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowReadingFromString };

    /// <summary>A section as JSON: children numbered 0, 1 ... as an array, others as an object, values as strings.</summary>
    private static JsonNode? ToJson(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is { } value ? JsonValue.Create(value) : null;
        }
        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            return new JsonArray([.. children.OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(ToJson)]);
        }
        var json = new JsonObject();
        foreach (var child in children)
        {
            json[child.Key] = ToJson(child);
        }
        return json;
    }
}
