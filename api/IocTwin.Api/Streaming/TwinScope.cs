using System.Diagnostics.CodeAnalysis;
using IocTwin.Api.Access;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

public enum ScopeKind
{
    City,
    District,
    Sector,
    Entity,
    Scenario,
}

/// <summary>
/// What a screen subscribes to: "city", "area:{id}[,{id}…]" (or "district:…", the same), "sector:{name}[,{name}…]",
/// "entity:{id}", "scenario:{id}". An OC with several areas or sectors takes them as one scope, so the server sends the
/// total of what it covers. <see cref="Id"/> is the entity's or scenario's id, or an area scope's ids in canonical order.
/// An area scope covers the areas it names and everything below them (<see cref="WithAreas"/>); the city and sector
/// scopes show the areas directly under the city.
/// </summary>
public sealed record TwinScope(ScopeKind Kind, string? Id, IReadOnlyList<Sector> Sectors, bool NamedAsArea = false)
{
    /// <summary>Districts or sectors one scope may name: more than any city has sectors, enough for any OC.</summary>
    public const int MaxNames = 32;

    public static readonly TwinScope City = new(ScopeKind.City, null, []);

    /// <summary>The areas an area (district) scope names.</summary>
    public IReadOnlyList<string> DistrictIds { get; } = Kind == ScopeKind.District ? Id!.Split(',') : [];

    /// <summary>The areas the scope covers: those it names and, once known, every area below them.</summary>
    public IReadOnlySet<string> Covered { get; private init; } = Kind == ScopeKind.District ? Id!.Split(',').ToHashSet(StringComparer.Ordinal) : [];

    /// <summary>The named areas with no named area above them: the scope's total is theirs.</summary>
    private IReadOnlySet<string> Roots { get; init; } = Kind == ScopeKind.District ? Id!.Split(',').ToHashSet(StringComparer.Ordinal) : [];

    /// <summary>An area scope covering everything below the areas it names, as the tree stands now.</summary>
    public TwinScope WithAreas(AreaTree tree)
    {
        if (Kind != ScopeKind.District)
        {
            return this;
        }
        var named = DistrictIds.ToHashSet(StringComparer.Ordinal);
        return this with
        {
            Covered = DistrictIds.SelectMany(tree.Subtree).ToHashSet(StringComparer.Ordinal),
            Roots = named.Where(id => !tree.Ancestors(id).Any(named.Contains)).ToHashSet(StringComparer.Ordinal),
        };
    }

    public override string ToString() => Kind switch
    {
        ScopeKind.City => "city",
        ScopeKind.Sector => $"sector:{string.Join(',', Sectors.Select(SectorNames.Name))}",
        ScopeKind.District when NamedAsArea => $"area:{Id}",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Id}",
    };

    public static bool TryParse(string? text, [NotNullWhen(true)] out TwinScope? scope, out string? error)
    {
        scope = null;
        error = null;
        if (text == "city")
        {
            scope = City;
            return true;
        }
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0)
        {
            error = "A scope is 'city', 'area:{id}[,{id}…]', 'district:{id}[,{id}…]', 'sector:{name}[,{name}…]', 'entity:{id}' or 'scenario:{id}'.";
            return false;
        }
        var (prefix, value) = (text[..colon], text[(colon + 1)..]);
        var names = prefix is "area" or "district" or "sector" ? value.Split(',') : [value];
        if (names.Length > MaxNames)
        {
            error = $"A scope names at most {MaxNames} {prefix}s.";
            return false;
        }
        switch (prefix)
        {
            case "sector":
                List<Sector> sectors = [];
                foreach (var name in names)
                {
                    if (!SectorNames.TryParse(name, out var sector))
                    {
                        error = $"Unknown sector '{name}'.";
                        return false;
                    }
                    sectors.Add(sector);
                }
                scope = new TwinScope(ScopeKind.Sector, null, [.. sectors.Distinct().Order()]);
                return true;
            case "area" or "district" or "entity" or "scenario" when names.All(TopologyRules.IsValidId):
                // One order for one set of areas: the same scope whichever way a screen lists them.
                scope = new TwinScope(prefix == "area" ? ScopeKind.District : Enum.Parse<ScopeKind>(prefix, ignoreCase: true),
                    string.Join(',', names.Distinct().Order(StringComparer.Ordinal)), [], NamedAsArea: prefix == "area");
                return true;
            case "area" or "district" or "entity" or "scenario":
                error = $"The id in '{text}' {TopologyRules.IdRule}.";
                return false;
            default:
                error = $"Unknown scope kind '{prefix}'.";
                return false;
        }
    }

    /// <summary>
    /// An area as this scope shows it, or null when the scope does not show it: the city sees the areas directly under
    /// it, an area scope its areas and those below; sectors see the city's areas' KPIs counted over their own sensors
    /// (and roads, for traffic) only.
    /// </summary>
    public DistrictView? Sees(DistrictView district) => Kind switch
    {
        ScopeKind.City when district.ParentId is null => district with { Sectors = null },
        ScopeKind.District when Covered.Contains(district.Id) => district with { Sectors = null },
        ScopeKind.Sector when district.ParentId is null => district with { Kpis = SectorKpis(district.Sectors), Sectors = null },
        _ => null,
    };

    /// <summary>What a district's update changes of the district as this scope shows it.</summary>
    public DistrictView? Sees(DistrictUpdate update) => Kind is ScopeKind.City or ScopeKind.District or ScopeKind.Sector
        ? Sees(new DistrictView(update.DistrictId, update.Name, NameEn: null, Boundary: null, update.Kpis, SegmentCount: null,
            SensorCount: null, update.Version, update.Sectors, ParentId: update.ParentId))
        : null;

    /// <summary>The KPIs of this scope's sectors in a district.</summary>
    private DistrictKpis SectorKpis(IReadOnlyDictionary<Sector, DistrictKpis>? bySector) => KpiCalculator.ForSectors(bySector, Sectors);

    /// <summary>
    /// The total of what a district or sector scope covers: its districts' KPIs rolled up as the city's are (the city
    /// scope's total comes from the city itself). Null for other scopes.
    /// </summary>
    public CityView? Total(IEnumerable<DistrictView> seen, long version) => Kind is ScopeKind.District or ScopeKind.Sector
        ? new CityView(CityGrainKey.Id, KpiCalculator.ForCity(seen.Where(d => Kind == ScopeKind.Sector || Roots.Contains(d.Id)).Select(d => d.Kpis)),
            Districts: null, version)
        : null;

    public bool Covers(AlertView alert) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Covered.Contains(alert.DistrictId),
        ScopeKind.Sector => Sectors.Contains(alert.Sector),
        ScopeKind.Entity => Id == alert.EntityId,
        _ => false,
    };

    public bool Covers(SegmentView segment) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Covered.Contains(segment.DistrictId),
        ScopeKind.Sector => Sectors.Contains(Sector.Traffic),
        ScopeKind.Entity => Id == segment.Id,
        _ => false,
    };

    public bool Covers(SensorView sensor) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Covered.Contains(sensor.DistrictId),
        ScopeKind.Sector => Sectors.Contains(sensor.Sector),
        ScopeKind.Entity => Id == sensor.Id,
        _ => false,
    };

    /// <summary>A citizen report: its area's scopes (and those of areas above it) and its sector's, as a sensor's are.</summary>
    public bool Covers(ReportView report) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Covered.Contains(report.AreaId),
        ScopeKind.Sector => Sectors.Contains(report.Sector),
        _ => false,
    };

    /// <summary>
    /// An asset where it is now: an area scope's while in its areas, a sector scope's by the asset's sector. An entity
    /// scope is a segment's or sensor's, authorised for that entity only: it never covers an asset.
    /// </summary>
    public bool Covers(AssetView asset) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => asset.AreaId is { } areaId && Covered.Contains(areaId),
        ScopeKind.Sector => Sectors.Contains(asset.Sector),
        _ => false,
    };
}
