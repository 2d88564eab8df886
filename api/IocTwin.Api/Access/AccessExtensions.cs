using System.Security.Claims;
using System.Text;
using IocTwin.Api.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IocTwin.Api.Access;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HMAC-SHA256 key for tokens, at least 32 bytes of UTF-8.</summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "ioctwin";

    public string Audience { get; set; } = "ioctwin";

    /// <summary>Keys that may post readings, sent in the X-Api-Key header.</summary>
    public List<string> IngestApiKeys { get; set; } = [];

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey));
}

public static class AccessExtensions
{
    public const string ReadPolicy = "read";
    public const string OperatePolicy = "operate";
    public const string ApiKeyHeader = "X-Api-Key";

    public static WebApplicationBuilder AddTwinAccess(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (Encoding.UTF8.GetByteCount(auth.SigningKey) < 32)
        {
            throw new InvalidOperationException("Auth:SigningKey must be set to at least 32 bytes (see README, 'Access').");
        }
        builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection(AuthOptions.SectionName));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                IssuerSigningKey = auth.Key(),
                RoleClaimType = TwinClaims.Role,
                NameClaimType = "name",
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            o.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on WebSockets: the hub takes the token from the query string.
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments("/hubs") &&
                        context.Request.Query["access_token"] is { Count: > 0 } token)
                    {
                        context.Token = token;
                    }
                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, p => p.RequireClaim(TwinClaims.Role, TwinRoles.All))
            .AddPolicy(OperatePolicy, p => p.RequireClaim(TwinClaims.Role, TwinRoles.Ioc));
        builder.Services.AddSingleton<TokenIssuer>();
        return builder;
    }

    public static TwinAccess Access(this HttpContext context) => TwinAccess.From(context.User);

    /// <summary>Ingest is for machines: an API key, not a person's token.</summary>
    public static RouteHandlerBuilder RequireIngestApiKey(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var keys = context.HttpContext.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.IngestApiKeys;
            var given = context.HttpContext.Request.Headers[ApiKeyHeader].ToString();
            if (given.Length == 0 || !keys.Any(k => CryptographicEquals(k, given)))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or unknown API key",
                    detail: $"Send a valid ingest key in the {ApiKeyHeader} header.", extensions: new Dictionary<string, object?> { ["field"] = ApiKeyHeader });
            }
            return await next(context);
        });

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope", detail: $"Your token does not cover {what}.");

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
