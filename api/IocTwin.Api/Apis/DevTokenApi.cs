using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>A demo token; an area OC (role district-oc) names its <see cref="Areas"/> (or <see cref="Districts"/>, the same).</summary>
public sealed record DevTokenRequest(string? Name, string? Role, List<string>? Districts, List<string>? Sectors, int? LifetimeHours,
    List<string>? Areas = null);

public sealed record DevTokenResponse(string Token, string Role, IReadOnlyList<string> Districts, IReadOnlyList<string> Sectors, DateTimeOffset ExpiresAt,
    IReadOnlyList<string> Areas);

/// <summary>Demo tokens for development only; production tokens come from the city's identity provider.</summary>
public static class DevTokenApi
{
    public static IEndpointRouteBuilder MapDevTokenApi(this IEndpointRouteBuilder group)
    {
        if (group.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            group.MapPost("/dev/token", IssueToken).WithTags("Development").AllowAnonymous()
                .WithSummary("Development only: a demo token for a role and its areas (or districts) or sectors.");
        }
        return group;
    }

    public static Results<Ok<DevTokenResponse>, ValidationProblem> IssueToken(
        DevTokenRequest? body, TokenIssuer issuer, TimeProvider time)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var role = body.Role ?? "";
        var districts = body.Districts ?? [];
        var areas = body.Areas ?? [];
        var sectors = body.Sectors ?? [];
        var lifetimeHours = body.LifetimeHours ?? 12;
        if (!TwinRoles.All.Contains(role))
        {
            return Problems.Field("role", $"must be one of {string.Join(", ", TwinRoles.All)}");
        }
        if (role == TwinRoles.DistrictOc && (districts.Count + areas.Count == 0 || !districts.All(TopologyRules.IsValidId)))
        {
            return Problems.Field("districts", "a district OC needs at least one valid district id");
        }
        if (role == TwinRoles.DistrictOc && !areas.All(TopologyRules.IsValidId))
        {
            return Problems.Field("areas", "an area OC needs valid area ids");
        }
        if (role == TwinRoles.SectorOc && (sectors.Count == 0 || !sectors.All(s => SectorNames.TryParse(s, out _))))
        {
            return Problems.Field("sectors", "a sector OC needs at least one known sector");
        }
        // Checked before the conversion: a large number of hours would overflow TimeSpan.
        if (lifetimeHours is < 1 or > 168)
        {
            return Problems.Field("lifetimeHours", "must be 1 to 168");
        }
        var lifetime = TimeSpan.FromHours(lifetimeHours);
        var name = string.IsNullOrWhiteSpace(body.Name) ? role : body.Name;
        var token = issuer.Issue(name, role, districts, sectors, lifetime, areas);
        return TypedResults.Ok(new DevTokenResponse(token, role, districts, sectors, time.GetUtcNow() + lifetime, areas));
    }
}
