namespace IocTwin.Api.Access;

/// <summary>
/// The city's OpenID Connect provider (Keycloak or any): its tokens are checked against the keys its metadata
/// publishes, and its roles, districts and sectors are mapped to the twin's by configuration.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The issuer, e.g. https://sso.city.example/realms/city; empty turns the provider off.</summary>
    public string Authority { get; set; } = "";

    public string Audience { get; set; } = "";

    /// <summary>The discovery document, when not at {Authority}/.well-known/openid-configuration.</summary>
    public string? MetadataAddress { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The signing algorithms accepted; asymmetric only.</summary>
    public List<string> Algorithms { get; set; } = ["RS256", "ES256"];

    /// <summary>How often the metadata and keys are read again.</summary>
    public TimeSpan AutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The least time between two reads forced by a token signed with an unknown key (a rotation).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a key the provider no longer publishes is still trusted, through the last configuration that validated
    /// a token (an outage of the provider does not lock everyone out). Zero: a key removed from the JWKS stops working
    /// at the next metadata read.
    /// </summary>
    public TimeSpan RemovedKeyGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The claim that carries the caller's roles or groups; a dotted path reads into JSON ("realm_access.roles").</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Provider role or group → twin role (ioc, district-oc, sector-oc, viewer). Empty: the twin's role names as they are.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = [];

    /// <summary>The claim holding the district ids a district OC covers.</summary>
    public string DistrictClaim { get; set; } = "district";

    /// <summary>The provider's claim naming an area OC's areas (any level); the district claim says the same.</summary>
    public string AreaClaim { get; set; } = "area";

    /// <summary>The claim holding the sector names a sector OC covers.</summary>
    public string SectorClaim { get; set; } = "sector";

    /// <summary>The claim shown as the caller's name.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    public bool Enabled => Authority.Length > 0;
}
