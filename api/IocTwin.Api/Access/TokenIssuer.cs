using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IocTwin.Api.Access;

/// <summary>Signs tokens with the configured key. Used by the development token endpoint and by tests.</summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider time)
{
    public string Issue(string name, string role, IEnumerable<string> districts, IEnumerable<string> sectors, TimeSpan lifetime,
        IEnumerable<string>? areas = null)
    {
        var auth = options.Value;
        var claims = new List<Claim> { new("name", name), new(TwinClaims.Role, role) };
        claims.AddRange(districts.Select(d => new Claim(TwinClaims.District, d)));
        claims.AddRange((areas ?? []).Select(a => new Claim(TwinClaims.Area, a)));
        claims.AddRange(sectors.Select(s => new Claim(TwinClaims.Sector, s)));
        var now = time.GetUtcNow().UtcDateTime;
        var token = new JwtSecurityToken(auth.Issuer, auth.Audience, claims, now, now + lifetime,
            new SigningCredentials(auth.Key(), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }
}
