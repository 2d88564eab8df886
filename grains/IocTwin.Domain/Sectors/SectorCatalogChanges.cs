using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>
/// A change to the catalogue, worked out against the catalogue stored: the half posted replaces the stored half, the
/// other is kept. Refused, changing nothing, when the caller read another version, when the list is invalid next to the
/// kept half, or when something removed is still in use (by the kept half or by a <see cref="CatalogUse"/>).
/// </summary>
public static class SectorCatalogChanges
{
    public static CatalogChange ReplaceSectors(
        SectorCatalogDocument stored, IReadOnlyList<SectorDefinition?> sectors, IReadOnlyList<long>? ifMatch, IReadOnlyList<CatalogUse> uses)
    {
        if (Refused(stored, ifMatch, SectorCatalogRules.ValidateSectors(sectors, stored.Kinds)) is { } refused)
        {
            return refused;
        }
        var kept = sectors.OfType<SectorDefinition>().Select(s => s.Id).ToHashSet();
        var removed = stored.Sectors.Select(s => s.Id).Where(id => !kept.Contains(id)).ToHashSet();
        var conflicts = stored.Kinds.Where(k => removed.Contains(k.Sector)).Select(k => $"sensor kind '{k.Id}' belongs to sector '{k.Sector}'")
            .Concat(Used(uses, removed, u => u.Sector, "sector"))
            .ToList();
        return Stored(stored, new SectorCatalogDocument([.. sectors.OfType<SectorDefinition>()], stored.Kinds), conflicts);
    }

    public static CatalogChange ReplaceKinds(
        SectorCatalogDocument stored, IReadOnlyList<SensorKindDefinition?> kinds, IReadOnlyList<long>? ifMatch, IReadOnlyList<CatalogUse> uses)
    {
        if (Refused(stored, ifMatch, SectorCatalogRules.ValidateKinds(kinds, stored.Sectors)) is { } refused)
        {
            return refused;
        }
        var values = kinds.OfType<SensorKindDefinition>().ToDictionary(k => k.Id, k => k.Values.Select(v => v.Name).ToHashSet());
        var removed = stored.Kinds.Select(k => k.Id).Where(id => !values.ContainsKey(id)).ToHashSet();
        var conflicts = stored.Sectors.SelectMany(s => (s.Kpis ?? []).Select(kpi => (Sector: s.Id, Kpi: kpi)))
            .Where(r => !values.TryGetValue(r.Kpi.Kind, out var names) || !names.Contains(r.Kpi.Value))
            .Select(r => $"KPI '{r.Kpi.Id}' of sector '{r.Sector}' reads value '{r.Kpi.Value}' of kind '{r.Kpi.Kind}'")
            .Concat(Used(uses, removed, u => u.Kind, "kind"))
            .ToList();
        return Stored(stored, new SectorCatalogDocument(stored.Sectors, [.. kinds.OfType<SensorKindDefinition>()]), conflicts);
    }

    private static CatalogChange? Refused(SectorCatalogDocument stored, IReadOnlyList<long>? ifMatch, List<(string Field, string Message)> problems)
    {
        if (ifMatch is not null && !ifMatch.Contains(stored.Version))
        {
            return new CatalogChange(CatalogChangeOutcome.VersionMismatch, stored, [], []);
        }
        return problems.Count > 0
            ? new CatalogChange(CatalogChangeOutcome.Invalid, stored, [.. problems.Select(p => new CatalogFieldProblem(p.Field, p.Message))], [])
            : null;
    }

    private static CatalogChange Stored(SectorCatalogDocument stored, SectorCatalogDocument changed, List<string> conflicts) =>
        conflicts.Count > 0
            ? new CatalogChange(CatalogChangeOutcome.Conflict, stored, [], conflicts)
            : new CatalogChange(CatalogChangeOutcome.Stored, changed with { Version = stored.Version + 1 }, [], []);

    /// <summary>"sector 'parks' has 3 sensors (e.g. 'soil-st-1')", for each sector or kind removed that is still used.</summary>
    private static IEnumerable<string> Used(IReadOnlyList<CatalogUse> uses, HashSet<string> removed, Func<CatalogUse, string?> key, string what) =>
        removed.Count == 0 ? [] : uses.Where(u => key(u) is { } id && removed.Contains(id))
            .GroupBy(u => (Id: key(u)!, u.Noun))
            .Select(g => $"{what} '{g.Key.Id}' has {g.Count()} {g.Key.Noun} (e.g. '{g.First().Id}')");
}
