using System.Text;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Access;

public static class AccessExtensions
{
    public const string ReadPolicy = "read";
    public const string OperatePolicy = "operate";
    public const string ApiKeyHeader = "X-Api-Key";

    public static WebApplicationBuilder AddTwinAccess(this WebApplicationBuilder builder)
    {
        var auth = AuthOptions.Load(builder.Configuration);
        PublishedKeys.Check(auth, builder.Environment);
        builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection(AuthOptions.SectionName));
        builder.Services.PostConfigure<AuthOptions>(o => o.ReadKeyFiles());
        builder.Services.AddAuthentication(TokenSchemes.Bearer)
            .AddTwinTokenSchemes(auth);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, p => p.RequireClaim(TwinClaims.Role, TwinRoles.All))
            .AddPolicy(OperatePolicy, p => p.RequireClaim(TwinClaims.Role, TwinRoles.Ioc));
        builder.Services.AddSingleton<TokenIssuer>();
        return builder;
    }

    public static TwinAccess Access(this HttpContext context) =>
        TwinAccess.From(context.User, context.RequestServices.GetService<IAreaTreeSource>());

    /// <summary>Ingest is for machines: an API key, not a person's token.</summary>
    public static RouteHandlerBuilder RequireIngestApiKey(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (!HasIngestApiKey(context.HttpContext))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or unknown API key",
                    detail: $"Send a valid ingest key in the {ApiKeyHeader} header.", extensions: new Dictionary<string, object?> { ["field"] = ApiKeyHeader });
            }
            return await next(context);
        });

    public static bool HasIngestApiKey(HttpContext http)
    {
        var keys = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.IngestApiKeys;
        var given = http.Request.Headers[ApiKeyHeader].ToString();
        return given.Length > 0 && keys.Any(k => CryptographicEquals(k, given));
    }

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope", detail: $"Your token does not cover {what}.");

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
