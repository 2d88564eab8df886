using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IocTwin.Api.Access;

/// <summary>
/// Two kinds of bearer token: the twin's own (HMAC, <see cref="SelfIssued"/>) and the city identity provider's
/// (<see cref="Oidc"/>). The default scheme looks at the token's issuer, unverified, only to pick which one checks it.
/// </summary>
public static class TokenSchemes
{
    public const string Bearer = JwtBearerDefaults.AuthenticationScheme;
    public const string SelfIssued = "twin";
    public const string Oidc = "oidc";

    public static AuthenticationBuilder AddTwinTokenSchemes(this AuthenticationBuilder builder, AuthOptions auth)
    {
        builder.AddPolicyScheme(Bearer, "Bearer token", o => o.ForwardDefaultSelector = context => Select(context.Request, auth));
        builder.AddJwtBearer(SelfIssued, o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                // Without a signing key nothing validates: self-issued tokens are off.
                IssuerSigningKey = auth.SelfIssuedTokens ? auth.Key() : null,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RoleClaimType = TwinClaims.Role,
                NameClaimType = "name",
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            o.Events = new JwtBearerEvents { OnMessageReceived = TakeHubToken };
        });
        if (auth.Oidc.Enabled)
        {
            builder.AddJwtBearer(Oidc, o => ConfigureOidc(o, auth.Oidc));
            // Runs after JwtBearer has made its configuration manager from the options above.
            builder.Services.PostConfigure<JwtBearerOptions>(Oidc, o =>
            {
                if (o.ConfigurationManager is BaseConfigurationManager manager)
                {
                    manager.UseLastKnownGoodConfiguration = auth.Oidc.RemovedKeyGrace > TimeSpan.Zero;
                    manager.LastKnownGoodLifetime = auth.Oidc.RemovedKeyGrace > TimeSpan.Zero ? auth.Oidc.RemovedKeyGrace : manager.LastKnownGoodLifetime;
                }
            });
        }
        return builder;
    }

    private static void ConfigureOidc(JwtBearerOptions o, OidcOptions oidc)
    {
        o.Authority = oidc.Authority;
        o.Audience = oidc.Audience;
        if (!string.IsNullOrWhiteSpace(oidc.MetadataAddress))
        {
            o.MetadataAddress = oidc.MetadataAddress;
        }
        o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
        o.MapInboundClaims = false;
        // A token signed with a key the cached JWKS lacks makes the handler read the metadata again (key rotation),
        // at most once per RefreshInterval.
        o.RefreshOnIssuerKeyNotFound = true;
        o.AutomaticRefreshInterval = oidc.AutomaticRefreshInterval;
        o.RefreshInterval = oidc.RefreshInterval;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = oidc.Audience,
            ValidAlgorithms = oidc.Algorithms,
            RoleClaimType = TwinClaims.Role,
            NameClaimType = "name",
            ClockSkew = TimeSpan.FromMinutes(1),
        };
        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = TakeHubToken,
            OnTokenValidated = context =>
            {
                context.Principal = OidcClaimMapper.Map(context.Principal!, oidc);
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>Browsers cannot set headers on WebSockets: the hub takes the token from the query string.</summary>
    private static Task TakeHubToken(MessageReceivedContext context)
    {
        context.Token = HubToken(context.Request) ?? context.Token;
        return Task.CompletedTask;
    }

    private static string? HubToken(HttpRequest request) =>
        request.Path.StartsWithSegments("/hubs") && request.Query["access_token"] is { Count: > 0 } token ? token.ToString() : null;

    private static string Select(HttpRequest request, AuthOptions auth)
    {
        if (!auth.Oidc.Enabled)
        {
            return SelfIssued;
        }
        if (!auth.SelfIssuedTokens)
        {
            return Oidc;
        }
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : HubToken(request);
        return token is not null && Issuer(token) is { } issuer && issuer != auth.Issuer ? Oidc : SelfIssued;
    }

    /// <summary>The issuer a token claims, unverified; null when it is no JWT (the self-issued scheme then refuses it).</summary>
    private static string? Issuer(string token)
    {
        var handler = new JsonWebTokenHandler();
        try
        {
            return handler.CanReadToken(token) ? handler.ReadJsonWebToken(token).Issuer : null;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return null;
        }
    }
}
