using System.Security.Claims;

namespace IocTwin.Api.Access;

/// <summary>
/// Turns an identity provider's principal into the twin's: one role from the configured role claim and map, and the
/// districts and sectors from their claims. The provider's own claims of those names never pass through unmapped.
/// </summary>
public static class OidcClaimMapper
{
    public const string AuthenticationType = "oidc";

    public static ClaimsPrincipal Map(ClaimsPrincipal provider, OidcOptions options)
    {
        var identity = new ClaimsIdentity(AuthenticationType, "name", TwinClaims.Role);
        var name = ClaimPath.Values(provider, options.NameClaim).FirstOrDefault() ?? provider.FindFirst("sub")?.Value ?? "";
        identity.AddClaim(new Claim("name", name));
        if (provider.FindFirst("sub") is { } subject)
        {
            identity.AddClaim(new Claim("sub", subject.Value));
        }
        if (Role(ClaimPath.Values(provider, options.RoleClaim), options.RoleMap) is { } role)
        {
            identity.AddClaim(new Claim(TwinClaims.Role, role));
        }
        identity.AddClaims(ClaimPath.Values(provider, options.DistrictClaim).Distinct().Select(d => new Claim(TwinClaims.District, d)));
        identity.AddClaims(ClaimPath.Values(provider, options.AreaClaim).Distinct().Select(a => new Claim(TwinClaims.Area, a)));
        identity.AddClaims(ClaimPath.Values(provider, options.SectorClaim).Distinct().Select(s => new Claim(TwinClaims.Sector, s)));
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The widest twin role any of the provider's roles maps to, in the order of <see cref="TwinRoles.All"/>.</summary>
    public static string? Role(IEnumerable<string> providerRoles, IReadOnlyDictionary<string, string> map)
    {
        var mapped = providerRoles
            .Select(r => map.Count == 0 ? r : map.GetValueOrDefault(r))
            .Where(r => r is not null && TwinRoles.All.Contains(r))
            .ToHashSet();
        return TwinRoles.All.FirstOrDefault(mapped.Contains);
    }
}
