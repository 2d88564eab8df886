using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using IocTwin.Api.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace IocTwin.Api.Extensions;

/// <summary>What a kind of request may cost per caller: a token bucket of Burst tokens, refilled by Permits every Period.</summary>
public sealed class RequestRate
{
    public int Permits { get; set; }

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many may come at once after a quiet spell.</summary>
    public int Burst { get; set; }
}

/// <summary>Requests per caller and kind of request (section Twin:RateLimits). The defaults leave the product's own load alone.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Twin:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>POSTs of readings per ingest key: 500 batches of 10,000 readings a second is far beyond what one key sends.</summary>
    public RequestRate Ingest { get; set; } = new() { Permits = 500, Burst = 1_000 };

    /// <summary>
    /// GETs of the live twin and hub connections per caller; a screen loads in a burst, and a wall of screens sharing
    /// one token connects at once.
    /// </summary>
    public RequestRate Reads { get; set; } = new() { Permits = 500, Burst = 2_000 };

    /// <summary>History queries and city-at-a-time replays per caller: each reads the database.</summary>
    public RequestRate History { get; set; } = new() { Permits = 20, Burst = 100 };

    /// <summary>Scenario runs started per caller: each simulates the city.</summary>
    public RequestRate ScenarioRuns { get; set; } = new() { Permits = 2, Burst = 20 };

    /// <summary>
    /// Citizen reports filed without a token, per client address: a citizen files a few; a script filing hundreds is
    /// refused. Reports filed with a token count as writes.
    /// </summary>
    public RequestRate AnonymousReports { get; set; } = new() { Permits = 5, Period = TimeSpan.FromMinutes(10), Burst = 10 };

    /// <summary>Every other change (topology, scenarios, alert rules, acknowledgements) per caller.</summary>
    public RequestRate Writes { get; set; } = new() { Permits = 200, Burst = 3_000 };

    /// <summary>History queries one caller may have running at once; more are refused until one ends.</summary>
    public int HistoryConcurrencyPerCaller { get; set; } = 4;

    /// <summary>History queries running at once, all callers together, so they cannot starve the live twin's reads.</summary>
    public int HistoryConcurrencyTotal { get; set; } = 16;
}

/// <summary>The kinds of request rate-limited apart: a flood of one does not use up the budget of another.</summary>
public enum RequestCategory
{
    Unlimited,
    Ingest,
    Reads,
    History,
    ScenarioRuns,
    Writes,
    AnonymousReports,
}

/// <summary>
/// ASP.NET Core rate limiting for the API and the hub: a token bucket per caller (token subject and role, ingest key,
/// or address when anonymous) and per <see cref="RequestCategory"/>, chained with caps on concurrent history queries per
/// caller and in total. A refused request answers 429 with Retry-After and ProblemDetails. Screens, health and metrics
/// are not limited.
/// </summary>
public static class RateLimitingExtensions
{
    public static WebApplicationBuilder AddTwinRateLimits(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
            if (limits.Enabled)
            {
                options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                    RatePerCaller(limits), HistoryConcurrency(limits.HistoryConcurrencyPerCaller, perCaller: true),
                    HistoryConcurrency(limits.HistoryConcurrencyTotal, perCaller: false));
            }
        });
        return builder;
    }

    /// <summary>After authentication, so the limiter knows the caller; before authorization, so refused tokens count too.</summary>
    public static IApplicationBuilder UseTwinRateLimits(this IApplicationBuilder app) => app.UseRateLimiter();

    public static RequestCategory CategoryOf(HttpRequest request)
    {
        var path = request.Path;
        if (!path.StartsWithSegments("/api") && !path.StartsWithSegments("/hubs") && !path.StartsWithSegments("/ngsi-ld"))
        {
            return RequestCategory.Unlimited;
        }
        var value = path.Value!.TrimEnd('/');
        var read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        if (HttpMethods.IsPost(request.Method) && (Is(value, ApiGroupExtensions.V1 + "/readings") || Is(value, ApiGroupExtensions.V1 + "/import/readings")))
        {
            return RequestCategory.Ingest;
        }
        // A write to NGSI-LD is a reading (observation entities); the queries by POST change nothing.
        if (!read && path.StartsWithSegments("/ngsi-ld") && !Is(value, "/ngsi-ld/v1/entityOperations/query") && !Is(value, "/ngsi-ld/v1/temporal/entityOperations/query"))
        {
            return RequestCategory.Ingest;
        }
        // NGSI-LD temporal queries read history as the REST history API does: the same rate and concurrency caps.
        if (value.StartsWith("/ngsi-ld/v1/temporal/", StringComparison.OrdinalIgnoreCase) && (read || Is(value, "/ngsi-ld/v1/temporal/entityOperations/query")))
        {
            return RequestCategory.History;
        }
        if (read && (value.EndsWith("/history", StringComparison.OrdinalIgnoreCase) || Is(value, ApiGroupExtensions.V1 + "/city/at")))
        {
            return RequestCategory.History;
        }
        if (HttpMethods.IsPost(request.Method) && value.StartsWith(ApiGroupExtensions.V1 + "/scenarios/", StringComparison.OrdinalIgnoreCase) && value.EndsWith("/run", StringComparison.OrdinalIgnoreCase))
        {
            return RequestCategory.ScenarioRuns;
        }
        if (HttpMethods.IsPost(request.Method) && Is(value, ApiGroupExtensions.V1 + "/reports") && request.HttpContext.User.Identity?.IsAuthenticated != true)
        {
            return RequestCategory.AnonymousReports;
        }
        // Connecting to the hub (negotiate is a POST) and an NGSI-LD query by POST change nothing.
        return read || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/ngsi-ld") ? RequestCategory.Reads : RequestCategory.Writes;
    }

    // Routing matches paths whatever their case, so the categories must too: `/API/V1/Reports` is the same endpoint.
    private static bool Is(string path, string route) => string.Equals(path, route, StringComparison.OrdinalIgnoreCase);

    /// <summary>Who is asking: the ingest key (by its hash) for ingest, else the token's subject and role, else the address.</summary>
    public static string CallerOf(HttpContext context, RequestCategory category)
    {
        if (category == RequestCategory.Ingest && context.Request.Headers[AccessExtensions.ApiKeyHeader].ToString() is { Length: > 0 } key)
        {
            return "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 16);
        }
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            var name = user.FindFirst("sub")?.Value ?? user.FindFirst("name")?.Value ?? user.Identity.Name ?? "";
            return $"user:{user.FindFirst(TwinClaims.Role)?.Value}:{name}";
        }
        return "ip:" + context.Connection.RemoteIpAddress;
    }

    private static PartitionedRateLimiter<HttpContext> RatePerCaller(RateLimitOptions limits) =>
        PartitionedRateLimiter.Create<HttpContext, (RequestCategory, string)>(context =>
        {
            var category = CategoryOf(context.Request);
            var rate = category switch
            {
                RequestCategory.Ingest => limits.Ingest,
                RequestCategory.Reads => limits.Reads,
                RequestCategory.History => limits.History,
                RequestCategory.ScenarioRuns => limits.ScenarioRuns,
                RequestCategory.Writes => limits.Writes,
                RequestCategory.AnonymousReports => limits.AnonymousReports,
                _ => null,
            };
            var key = (category, rate is null ? "" : CallerOf(context, category));
            return rate is null
                ? RateLimitPartition.GetNoLimiter(key)
                : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, rate.Burst),
                    TokensPerPeriod = Math.Max(1, rate.Permits),
                    ReplenishmentPeriod = rate.Period > TimeSpan.Zero ? rate.Period : TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
        });

    private static PartitionedRateLimiter<HttpContext> HistoryConcurrency(int permits, bool perCaller) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (CategoryOf(context.Request) != RequestCategory.History)
            {
                return RateLimitPartition.GetNoLimiter("");
            }
            var key = perCaller ? CallerOf(context, RequestCategory.History) : "all";
            return RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions { PermitLimit = Math.Max(1, permits), QueueLimit = 0 });
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        // A token bucket knows when the next token comes; a concurrency cap frees up as a query ends, usually within a second.
        var rate = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after);
        var seconds = rate ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var category = CategoryOf(context.Request);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = rate
                    ? $"Too many {category} requests from this caller; retry after {seconds} s."
                    : $"Too many history queries running at once, from this caller or in all; retry after {seconds} s.",
                Extensions = { ["category"] = category.ToString(), ["limit"] = rate ? "rate" : "concurrency" },
            },
        });
    }
}
