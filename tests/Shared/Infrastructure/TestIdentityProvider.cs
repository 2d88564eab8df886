using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// A city identity provider on loopback, as Keycloak lays it out: a discovery document and a JWKS with an RSA and an
/// EC signing key, which <see cref="RotateRsaKey"/> replaces. Mints tokens with any key, claims, audience and issuer.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Audience = "ioctwin-api";
    private readonly WebApplication _app;
    private volatile SecurityKey[] _published;

    public TestIdentityProvider()
    {
        Port = TestPorts.Free();
        Rsa = NewRsaKey("rsa-1");
        Ec = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-1" };
        _published = [Rsa, Ec];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        _app = builder.Build();
        _app.MapGet("/realms/city/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"{Issuer}/protocol/openid-connect/certs",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        _app.MapGet("/realms/city/protocol/openid-connect/certs", () =>
        {
            Interlocked.Increment(ref _keyReads);
            return Results.Json(new { keys = _published.Select(Jwk).ToArray() });
        });
    }

    private int _keyReads;

    public int Port { get; }

    public string Issuer => $"http://127.0.0.1:{Port}/realms/city";

    public RsaSecurityKey Rsa { get; private set; }

    public ECDsaSecurityKey Ec { get; }

    /// <summary>How often the JWKS was read.</summary>
    public int KeyReads => Volatile.Read(ref _keyReads);

    /// <summary>The settings that point the twin at this provider, mapping Keycloak realm roles.</summary>
    public Dictionary<string, string?> TwinSettings() => new()
    {
        ["Auth:Oidc:Authority"] = Issuer,
        ["Auth:Oidc:Audience"] = Audience,
        ["Auth:Oidc:RequireHttpsMetadata"] = "false",
        ["Auth:Oidc:RefreshInterval"] = "00:00:01",
        ["Auth:Oidc:RemovedKeyGrace"] = "00:00:00",
        ["Auth:Oidc:RoleClaim"] = "realm_access.roles",
        ["Auth:Oidc:RoleMap:city-ioc"] = "ioc",
        ["Auth:Oidc:RoleMap:district-operator"] = "district-oc",
        ["Auth:Oidc:RoleMap:sector-operator"] = "sector-oc",
        ["Auth:Oidc:RoleMap:wall-screen"] = "viewer",
        ["Auth:Oidc:DistrictClaim"] = "districts",
        ["Auth:Oidc:SectorClaim"] = "sectors",
    };

    public Task StartAsync() => _app.StartAsync();

    public static RsaSecurityKey NewRsaKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    /// <summary>The provider signs with a new RSA key from now on and publishes only it and the EC key.</summary>
    public RsaSecurityKey RotateRsaKey(string keyId)
    {
        Rsa = NewRsaKey(keyId);
        _published = [Rsa, Ec];
        return Rsa;
    }

    /// <summary>A token as the provider issues it: Keycloak realm roles and the given district and sector claims.</summary>
    public string Token(SecurityKey key, string[] realmRoles, string[]? districts = null, string[]? sectors = null,
        string? audience = null, string? issuer = null, IDictionary<string, object>? extraClaims = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = Guid.NewGuid().ToString(),
            ["preferred_username"] = "operator",
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = realmRoles },
        };
        if (districts is not null)
        {
            claims["districts"] = districts;
        }
        if (sectors is not null)
        {
            claims["sectors"] = sectors;
        }
        foreach (var (name, value) in extraClaims ?? new Dictionary<string, object>())
        {
            claims[name] = value;
        }
        var algorithm = key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(30),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    private static Dictionary<string, string> Jwk(SecurityKey key) => key switch
    {
        RsaSecurityKey rsa => Jwk(rsa.Rsa.ExportParameters(false), rsa.KeyId),
        ECDsaSecurityKey ec => Jwk(ec.ECDsa.ExportParameters(false), ec.KeyId),
        _ => throw new ArgumentException("RSA or EC keys only", nameof(key)),
    };

    private static Dictionary<string, string> Jwk(RSAParameters p, string keyId) => new()
    {
        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = keyId,
        ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
    };

    private static Dictionary<string, string> Jwk(ECParameters p, string keyId) => new()
    {
        ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = keyId, ["crv"] = "P-256",
        ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
