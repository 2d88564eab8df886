using System.Security.Claims;
using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Api.Access;

/// <summary>The roles a token can carry.</summary>
public static class TwinRoles
{
    /// <summary>The city IOC: sees and operates everything.</summary>
    public const string Ioc = "ioc";
    /// <summary>An area operation center (a district's, a ward's ...): its own areas and everything below them.</summary>
    public const string DistrictOc = "district-oc";
    /// <summary>A sector operation center: its own sectors only.</summary>
    public const string SectorOc = "sector-oc";
    /// <summary>Sees everything, changes nothing.</summary>
    public const string Viewer = "viewer";

    public static readonly string[] All = [Ioc, DistrictOc, SectorOc, Viewer];
}

public static class TwinClaims
{
    public const string Role = "role";
    /// <summary>An area the token covers, with everything below it. The name from when districts were the only level; <see cref="Area"/> says the same.</summary>
    public const string District = "district";
    public const string Area = "area";
    public const string Sector = "sector";
}

/// <summary>What one caller may see, read from its token's claims.</summary>
public sealed class TwinAccess
{
    private readonly HashSet<string> _districts;
    private readonly HashSet<Sector> _sectors;
    private readonly IAreaTreeSource? _areas;

    private TwinAccess(string? role, string subject, IEnumerable<string> districts, IEnumerable<Sector> sectors, IAreaTreeSource? areas)
    {
        Role = role;
        Subject = subject;
        _districts = [.. districts];
        _sectors = [.. sectors];
        _areas = areas;
    }

    public string? Role { get; }

    /// <summary>Who the caller is: the token's subject, or its name when it has none.</summary>
    public string Subject { get; }

    /// <summary>The IOC and viewers see the whole city.</summary>
    public bool SeesEverything => Role is TwinRoles.Ioc or TwinRoles.Viewer;

    public bool CanOperate => Role == TwinRoles.Ioc;

    /// <summary>The areas the token names (claims <c>area</c> and <c>district</c>); it covers everything below them too.</summary>
    public IReadOnlySet<string> Districts => _districts;

    public IReadOnlySet<Sector> Sectors => _sectors;

    /// <summary>Everything, as the twin itself sees it: for checks made on the twin's behalf, never to answer a caller.</summary>
    public static readonly TwinAccess Twin = new(TwinRoles.Ioc, "", [], [], areas: null);

    /// <param name="areas">The city's tree of areas, to know what lies below an area the token names; without it a token
    /// covers only the areas it names.</param>
    public static TwinAccess From(ClaimsPrincipal user, IAreaTreeSource? areas = null)
    {
        var role = user.FindFirst(TwinClaims.Role)?.Value ?? user.FindFirst(ClaimTypes.Role)?.Value;
        var sectors = user.FindAll(TwinClaims.Sector)
            .Select(c => SectorNames.TryParse(c.Value, out var sector) ? sector : (Sector?)null)
            .OfType<Sector>();
        var subject = user.FindFirst("sub")?.Value ?? user.FindFirst("name")?.Value ?? "";
        var areaClaims = user.FindAll(TwinClaims.District).Concat(user.FindAll(TwinClaims.Area)).Select(c => c.Value);
        return new TwinAccess(TwinRoles.All.Contains(role) ? role : null, subject, areaClaims, sectors, areas);
    }

    /// <summary>Whether the token names this area or one above it.</summary>
    private bool Covers(string areaId) =>
        _districts.Contains(areaId) || (_areas?.Areas.IsWithin(areaId, _districts) ?? false);

    /// <summary>Area boundaries and KPIs: the area's own OC (or an OC of an area above it), and sector OCs (whose map needs the city's outline).</summary>
    public bool CanSeeDistrict(string districtId) =>
        SeesEverything || Role == TwinRoles.SectorOc || (Role == TwinRoles.DistrictOc && Covers(districtId));

    /// <summary>An area's own entities, all sectors: its OC's, or an OC's of an area above it.</summary>
    public bool CanSeeAllOfDistrict(string districtId) =>
        SeesEverything || (Role == TwinRoles.DistrictOc && Covers(districtId));

    public bool CanSeeSensor(string districtId, Sector sector) =>
        CanSeeAllOfDistrict(districtId) || (Role == TwinRoles.SectorOc && _sectors.Contains(sector));

    /// <summary>Road segments are the traffic sector's.</summary>
    public bool CanSeeSegment(string districtId) => CanSeeSensor(districtId, Sector.Traffic);

    /// <summary>
    /// An area as this caller is shown it: a sector OC gets the KPIs of its own sectors only (as its hub scope does), never
    /// the whole area's, which count every sector's sensors, roads and reports.
    /// </summary>
    public DistrictView Shown(DistrictView area) => Role == TwinRoles.SectorOc
        ? area with { Kpis = KpiCalculator.ForSectors(area.Sectors, _sectors) }
        : area;

    public bool CanSeeSector(Sector sector) => SeesEverything || (Role == TwinRoles.SectorOc && _sectors.Contains(sector));

    /// <summary>The IOC and OCs try scenarios (OCs within their scope); viewers only read them.</summary>
    public bool CanCreateScenarios => Role is TwinRoles.Ioc or TwinRoles.DistrictOc or TwinRoles.SectorOc;

    /// <summary>
    /// A scenario is its creator's: the IOC and viewers see every one; an OC only those it created, in the same role and
    /// while its token still covers the scope it had then. Scenarios without a creator predate owners: the IOC's.
    /// </summary>
    public bool CanSeeScenario(ScenarioCreator? creator) =>
        SeesEverything || (creator is not null && Role is not null && Subject.Length > 0 && creator.Role == Role && creator.Subject == Subject &&
            creator.Districts.All(_districts.Contains) && creator.Sectors.All(s => SectorNames.TryParse(s, out var sector) && _sectors.Contains(sector)));
}

/// <summary>Sector names as they appear in tokens, scopes and JSON: the kebab-case ids the city's catalogue defines ("public-safety").</summary>
public static class SectorNames
{
    public static string Name(Sector sector) => sector.Id;

    /// <summary>A sector the city defines (see <see cref="SectorCatalog"/>), its name in any case.</summary>
    public static bool TryParse(string? text, out Sector sector) => SectorCatalog.Current.TryParse(text, out sector);
}
