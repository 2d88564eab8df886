using System.Security.Claims;
using IocTwin.Api.Access;
using IocTwin.Api.Assets;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// Who may do what with subscriptions: the IOC and OCs subscribe (viewers and the ingest key alone do not); a
/// subscription is its creator's scope's; its notifications carry only entities that scope covers, checked at dispatch.
/// </summary>
public static class SubscriptionScope
{
    public static bool MaySubscribe(TwinAccess access) => access.Role is TwinRoles.Ioc or TwinRoles.DistrictOc or TwinRoles.SectorOc;

    public static SubscriptionOwner OwnerOf(TwinAccess access) => new(
        access.Subject, access.Role ?? "",
        [.. access.Districts.Order(StringComparer.Ordinal)],
        [.. access.Sectors.Select(SectorNames.Name).Order(StringComparer.Ordinal)]);

    /// <summary>The IOC manages every subscription; an OC those of its role whose districts and sectors its token covers.</summary>
    public static bool CanManage(TwinAccess access, SubscriptionOwner owner) =>
        access.Role == TwinRoles.Ioc
        || (MaySubscribe(access) && owner.Role == access.Role
            && owner.Districts.All(access.Districts.Contains)
            && owner.Sectors.All(s => SectorNames.TryParse(s, out var sector) && access.Sectors.Contains(sector)));

    /// <summary>
    /// The owner's access as its token gave it, to cut notifications to what it covers: its areas and, by the tree as it
    /// stands at dispatch, everything below them.
    /// </summary>
    public static TwinAccess AccessOf(SubscriptionOwner owner, IAreaTreeSource? areas)
    {
        var claims = new List<Claim> { new(TwinClaims.Role, owner.Role), new("sub", owner.Subject) };
        claims.AddRange(owner.Districts.Select(d => new Claim(TwinClaims.District, d)));
        claims.AddRange(owner.Sectors.Select(s => new Claim(TwinClaims.Sector, s)));
        return TwinAccess.From(new ClaimsPrincipal(new ClaimsIdentity(claims, "subscription")), areas);
    }

    /// <summary>Whether the access covers the entity, by the same rules as the NGSI-LD reads.</summary>
    public static bool Covers(TwinAccess access, NgsiEntity entity) => entity.Type switch
    {
        Sdm.AdministrativeArea => access.CanSeeDistrict(entity.DistrictId),
        // As GET /api/v1/assets: an asset outside every area is its sector's alone.
        Sdm.Vehicle when entity.Sector is { } sector => access.CanSee(entity.DistrictId is "" ? null : entity.DistrictId, sector),
        _ when entity.Sector is { } sector => access.CanSeeSensor(entity.DistrictId, sector),
        _ => access.CanSeeAllOfDistrict(entity.DistrictId),
    };
}
