using System.Globalization;
using System.Text.RegularExpressions;
using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>
/// What makes a catalogue of sectors and sensor kinds valid, whichever way it arrives (configuration, admin API). Fields
/// are named from the list checked ("[2].values[0].min"), each problem with a message an operator can act on.
/// </summary>
public static partial class SectorCatalogRules
{
    public const int MaxSectors = 64, MaxKinds = 256, MaxValuesPerKind = 32, MaxKpisPerSector = 32, MaxNameLength = 80, MaxUnitLength = 20;

    public static readonly IReadOnlyList<string> Severities = ["info", "warning", "critical"];

    /// <summary>Alert rule ids the twin uses itself: a kind's default alert cannot take them.</summary>
    private static readonly HashSet<string> ReservedAlertIds = ["segment-los-f", "sensor-offline"];

    /// <summary>Problems with <paramref name="sectors"/> as the city's sectors, next to its sensor kinds <paramref name="kinds"/>.</summary>
    public static List<(string Field, string Message)> ValidateSectors(
        IReadOnlyList<SectorDefinition?> sectors, IReadOnlyList<SensorKindDefinition> kinds)
    {
        List<(string, string)> problems = [];
        if (sectors.Count > MaxSectors) problems.Add(("sectors", $"at most {MaxSectors} sectors"));
        if (!sectors.Any(s => s?.Id == Sector.Traffic.Id)) problems.Add(("sectors", "must keep the traffic sector: road segments belong to it"));
        var kindsById = kinds.GroupBy(k => k.Id).ToDictionary(g => g.Key, g => g.First());
        var firstIndex = new Dictionary<string, int>();
        var kpiIds = new HashSet<string>();
        for (var i = 0; i < sectors.Count; i++)
        {
            var at = $"[{i}]";
            if (sectors[i] is not { } sector)
            {
                problems.Add((at, "is required"));
                continue;
            }
            CheckId(problems, $"{at}.id", sector.Id, "sector", firstIndex, i);
            CheckName(problems, $"{at}.nameVi", sector.NameVi);
            CheckName(problems, $"{at}.nameEn", sector.NameEn);
            if (sector.Colour is null || !Colour().IsMatch(sector.Colour)) problems.Add(($"{at}.colour", "must be a colour as #rrggbb"));
            var kpis = sector.Kpis ?? [];
            if (kpis.Count > MaxKpisPerSector) problems.Add(($"{at}.kpis", $"at most {MaxKpisPerSector} KPI rules"));
            for (var j = 0; j < kpis.Count; j++)
            {
                var kpiAt = $"{at}.kpis[{j}]";
                if (kpis[j] is not { } kpi)
                {
                    problems.Add((kpiAt, "is required"));
                    continue;
                }
                if (!CatalogIds.IsWellFormed(kpi.Id)) problems.Add(($"{kpiAt}.id", IdRule));
                else if (!kpiIds.Add(kpi.Id)) problems.Add(($"{kpiAt}.id", $"duplicates KPI '{kpi.Id}': KPI ids are unique across sectors"));
                if (kpi.Kind is null || !kindsById.TryGetValue(kpi.Kind, out var kind))
                {
                    problems.Add(($"{kpiAt}.kind", $"is not a sensor kind the city defines ({string.Join(", ", kindsById.Keys)})"));
                }
                else if (!kind.Values.Any(v => v.Name == kpi.Value))
                {
                    problems.Add(($"{kpiAt}.value", $"is not a value of kind '{kind.Id}' ({string.Join(", ", kind.Values.Select(v => v.Name))})"));
                }
                if (kpi.Aggregate is null || !RuleKpis.Aggregates.Contains(kpi.Aggregate))
                {
                    problems.Add(($"{kpiAt}.aggregate", $"must be one of {string.Join(", ", RuleKpis.Aggregates)}"));
                }
            }
        }
        return problems;
    }

    /// <summary>Problems with <paramref name="kinds"/> as the city's sensor kinds, under its sectors <paramref name="sectors"/>.</summary>
    public static List<(string Field, string Message)> ValidateKinds(
        IReadOnlyList<SensorKindDefinition?> kinds, IReadOnlyList<SectorDefinition> sectors)
    {
        List<(string, string)> problems = [];
        if (kinds.Count > MaxKinds) problems.Add(("kinds", $"at most {MaxKinds} sensor kinds"));
        var sectorIds = sectors.Select(s => s.Id).ToHashSet();
        var firstIndex = new Dictionary<string, int>();
        var ranges = new Dictionary<string, (SensorValueDefinition Value, string Kind)>();
        var alertIds = new HashSet<string>();
        for (var i = 0; i < kinds.Count; i++)
        {
            var at = $"[{i}]";
            if (kinds[i] is not { } kind)
            {
                problems.Add((at, "is required"));
                continue;
            }
            CheckId(problems, $"{at}.id", kind.Id, "sensor kind", firstIndex, i);
            if (kind.Sector is null || !sectorIds.Contains(kind.Sector))
            {
                problems.Add(($"{at}.sector", $"is not a sector the city defines ({string.Join(", ", sectorIds)})"));
            }
            if (kind.NameVi is { } vi) CheckName(problems, $"{at}.nameVi", vi);
            if (kind.NameEn is { } en) CheckName(problems, $"{at}.nameEn", en);
            var values = kind.Values ?? [];
            if (values.Count is 0 or > MaxValuesPerKind) problems.Add(($"{at}.values", $"needs 1 to {MaxValuesPerKind} values"));
            var names = new HashSet<string>();
            for (var j = 0; j < values.Count; j++)
            {
                var valueAt = $"{at}.values[{j}]";
                if (values[j] is not { } value)
                {
                    problems.Add((valueAt, "is required"));
                    continue;
                }
                if (value.Name is null || !ValueName().IsMatch(value.Name)) problems.Add(($"{valueAt}.name", "is required: letters, digits, '_', '-' or '.', at most 40"));
                else if (!names.Add(value.Name)) problems.Add(($"{valueAt}.name", $"duplicates value '{value.Name}' of this kind"));
                if (value.Unit is { Length: > MaxUnitLength }) problems.Add(($"{valueAt}.unit", $"at most {MaxUnitLength} characters"));
                if (!double.IsFinite(value.Min)) problems.Add(($"{valueAt}.min", "must be a finite number"));
                if (!double.IsFinite(value.Max)) problems.Add(($"{valueAt}.max", "must be a finite number"));
                if (value.Min > value.Max) problems.Add(($"{valueAt}.min", Invariant($"must not exceed max ({value.Min} > {value.Max})")));
                if (value.Name is not null && ranges.TryGetValue(value.Name, out var other) && other.Kind != kind.Id &&
                    (other.Value.Min != value.Min || other.Value.Max != value.Max || (other.Value.Unit ?? "") != (value.Unit ?? "")))
                {
                    problems.Add((valueAt, Invariant(
                        $"'{value.Name}' is {other.Value.Min} to {other.Value.Max} {other.Value.Unit} in kind '{other.Kind}': a value name has one range and unit")));
                }
                else if (value.Name is not null)
                {
                    ranges.TryAdd(value.Name, (value, kind.Id));
                }
            }
            if (kind.Alert is { } alert)
            {
                CheckAlert(problems, $"{at}.alert", alert, names, alertIds);
            }
        }
        return problems;
    }

    public const string IdRule = "must be kebab-case (lower-case letters and digits joined by single hyphens), at most 40 characters";

    private static void CheckId(List<(string, string)> problems, string field, string? id, string what, Dictionary<string, int> firstIndex, int index)
    {
        if (!CatalogIds.IsWellFormed(id))
        {
            problems.Add((field, IdRule));
        }
        else if (!firstIndex.TryAdd(id!, index))
        {
            problems.Add((field, $"duplicates the {what} '{id}' at [{firstIndex[id!]}]"));
        }
    }

    private static void CheckName(List<(string, string)> problems, string field, string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength) problems.Add((field, $"is required, at most {MaxNameLength} characters"));
    }

    private static void CheckAlert(List<(string, string)> problems, string at, KindAlertDefinition alert, HashSet<string> values, HashSet<string> alertIds)
    {
        if (!CatalogIds.IsWellFormed(alert.Id)) problems.Add(($"{at}.id", IdRule));
        else if (ReservedAlertIds.Contains(alert.Id) || !alertIds.Add(alert.Id)) problems.Add(($"{at}.id", $"'{alert.Id}' is taken by another alert rule"));
        CheckName(problems, $"{at}.name", alert.Name);
        if (alert.Value is null || !values.Contains(alert.Value)) problems.Add(($"{at}.value", "is not a value of this kind"));
        if (!double.IsFinite(alert.Threshold)) problems.Add(($"{at}.threshold", "must be a finite number"));
        if (!double.IsFinite(alert.ClearThreshold) || alert.ClearThreshold > alert.Threshold) problems.Add(($"{at}.clearThreshold", "must be at most the threshold"));
        if (alert.ForSeconds is < 0 or > 86_400 || double.IsNaN(alert.ForSeconds)) problems.Add(($"{at}.forSeconds", "must be 0 to 86,400"));
        if (alert.Severity is null || !Severities.Contains(alert.Severity)) problems.Add(($"{at}.severity", "must be info, warning or critical"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,40}$")]
    private static partial Regex ValueName();
}
