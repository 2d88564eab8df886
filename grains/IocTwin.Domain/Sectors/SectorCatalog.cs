using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>
/// The city's sectors and sensor kinds, looked up: which sector a kind belongs to, the range of each value name, the
/// KPI rules and default alert rules they bring. Immutable; <see cref="Current"/> is the one this process uses.
/// </summary>
public sealed class SectorCatalog
{
    private static volatile SectorCatalog _current = new(DefaultSectors.Document);

    /// <summary>
    /// The catalogue of this process: the defaults, then the configured one (at start), then what the IOC stores through
    /// the admin API (announced to every process). Every process of one city holds the same.
    /// </summary>
    public static SectorCatalog Current => _current;

    private static readonly Lock Gate = new();

    /// <summary>Makes <paramref name="catalog"/> the one this process uses from the next lookup on (configuration, tests).</summary>
    public static void Use(SectorCatalog catalog)
    {
        lock (Gate)
        {
            _current = catalog;
        }
    }

    /// <summary>
    /// Uses a stored catalogue unless this process already uses one as new: announcements and reads of the stored one
    /// can arrive out of order, and an older one must never replace a newer. True when it was taken.
    /// </summary>
    public static bool UseIfNewer(SectorCatalog catalog)
    {
        lock (Gate)
        {
            if (catalog.Document.Version <= _current.Document.Version)
            {
                return false;
            }
            _current = catalog;
            return true;
        }
    }

    private readonly Dictionary<string, SectorDefinition> _sectors;
    private readonly Dictionary<string, SensorKindDefinition> _kinds;
    private readonly Dictionary<string, ValueRange> _ranges = new(StringComparer.Ordinal);

    public SectorCatalog(SectorCatalogDocument document)
    {
        Document = new SectorCatalogDocument(
            [.. document.Sectors.OrderBy(s => new Sector(s.Id))], [.. document.Kinds.OrderBy(k => new SensorKind(k.Id))], document.Version);
        _sectors = Document.Sectors.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _kinds = Document.Kinds.ToDictionary(k => k.Id, StringComparer.Ordinal);
        foreach (var value in Document.Kinds.SelectMany(k => k.Values))
        {
            // Validation keeps one range per name; should two kinds still differ, the wider bounds hold.
            _ranges[value.Name] = _ranges.TryGetValue(value.Name, out var known)
                ? new ValueRange(Math.Min(known.Min, value.Min), Math.Max(known.Max, value.Max), known.Unit)
                : new ValueRange(value.Min, value.Max, value.Unit);
        }
        KpiRules = [.. Document.Sectors.SelectMany(s => s.Kpis ?? [])];
        KindAlertRules = [.. Document.Kinds.Where(k => k.Alert is not null).Select(k => new AlertRule(k.Alert!.Id, k.Alert.Name,
            new SensorKind(k.Id), null, k.Alert.Value, k.Alert.Threshold, k.Alert.ClearThreshold, k.Alert.ForSeconds, k.Alert.Severity))];
    }

    /// <summary>Sectors and kinds in the order screens list them: the six defaults first, then by id.</summary>
    public SectorCatalogDocument Document { get; }

    public IEnumerable<Sector> Sectors => Document.Sectors.Select(s => new Sector(s.Id));

    public IEnumerable<SensorKind> Kinds => Document.Kinds.Select(k => new SensorKind(k.Id));

    /// <summary>Every sector's KPI rules; their ids are unique across the catalogue.</summary>
    public IReadOnlyList<SectorKpiRule> KpiRules { get; }

    /// <summary>The alert rules the kinds bring (the city's rules until operators change them).</summary>
    public IReadOnlyList<AlertRule> KindAlertRules { get; }

    public bool Defines(Sector sector) => _sectors.ContainsKey(sector.Id);

    public bool Defines(SensorKind kind) => _kinds.ContainsKey(kind.Id);

    public SectorDefinition? Find(Sector sector) => _sectors.GetValueOrDefault(sector.Id);

    public SensorKindDefinition? Find(SensorKind kind) => _kinds.GetValueOrDefault(kind.Id);

    /// <summary>The sector a kind's sensors belong to unless registered under another.</summary>
    public Sector SectorOf(SensorKind kind) => _kinds.TryGetValue(kind.Id, out var definition) ? new Sector(definition.Sector) : Sector.Traffic;

    /// <summary>The range of a value name; names no kind defines are still bounded (<see cref="ReadingRanges.Other"/>).</summary>
    public ValueRange RangeOf(string valueName) => _ranges.GetValueOrDefault(valueName, ReadingRanges.Other);

    /// <summary>A sector the catalogue defines, from its id in any case, snake_case or PascalCase ("PublicSafety").</summary>
    public bool TryParse(string? text, out Sector sector)
    {
        var found = _sectors.ContainsKey(Normalize(text));
        sector = found ? new Sector(Normalize(text)) : default;
        return found;
    }

    /// <summary>A sensor kind the catalogue defines, read as leniently as <see cref="TryParse(string?, out Sector)"/>.</summary>
    public bool TryParse(string? text, out SensorKind kind)
    {
        var found = _kinds.ContainsKey(Normalize(text));
        kind = found ? new SensorKind(Normalize(text)) : default;
        return found;
    }

    private static string Normalize(string? text) =>
        text is null ? "" : System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(text.Trim().Replace('_', '-'));

    /// <summary>The sector ids, comma-separated, for messages naming what is expected.</summary>
    public string ExpectedSectors => string.Join(", ", Document.Sectors.Select(s => s.Id));

    public string ExpectedKinds => string.Join(", ", Document.Kinds.Select(k => k.Id));
}
