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
        var settings = section.Get<SectorSettings>() ?? new SectorSettings();
        var document = DefaultSectors.With(settings.Sectors, settings.Kinds);
        var problems = SectorCatalogRules.ValidateSectors(document.Sectors, document.Kinds)
            .Select(p => ("Sectors" + p.Field, p.Message))
            .Concat(SectorCatalogRules.ValidateKinds(document.Kinds, document.Sectors).Select(p => ("Kinds" + p.Field, p.Message)))
            .ToList();
        return problems.Count == 0 ? document : throw new InvalidOperationException(
            $"The {SectionName} section is not a valid catalogue (fields counted after the defaults): " +
            string.Join("; ", problems.Select(p => $"{p.Item1}: {p.Message}")));
    }
}
