using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http;
using System.Security.Claims;
using System.Net;
using IocTwin.Api.Access;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>A twin with small history budgets: 30 queries per caller, none refilled within a test; two at once per caller, three in all.</summary>
public sealed class RateLimitFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Twin:RateLimits:History:Permits"] = "1";
            settings["Twin:RateLimits:History:Period"] = "00:10:00";
            settings["Twin:RateLimits:History:Burst"] = "30";
            settings["Twin:RateLimits:HistoryConcurrencyPerCaller"] = "2";
            settings["Twin:RateLimits:HistoryConcurrencyTotal"] = "3";
            return settings;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RateLimitCollection : ICollectionFixture<RateLimitFactory>
{
    public const string Name = "rate limits";
}

[Collection(RateLimitCollection.Name)]
public sealed class RateLimitTests(RateLimitFactory api)
{
    private const string History = "/api/v1/districts/hai-chau/history";

    [Fact]
    public async Task The_query_past_a_callers_budget_gets_429_with_retry_after_and_others_are_unaffected()
    {
        using var greedy = api.As("greedy-viewer", TwinRoles.Viewer);
        using var other = api.As("other-viewer", TwinRoles.Viewer);

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync(History)).StatusCode);
        }
        using var refused = await greedy.GetAsync(History);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After names a delay");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadObject();
        Assert.Equal(429, (int)problem["status"]!);
        Assert.Equal("rate", (string)problem["limit"]!);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(History)).StatusCode);
        // Its live reads are another budget.
        Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync("/api/v1/city")).StatusCode);
    }

    [Fact]
    public async Task History_queries_over_the_concurrency_caps_are_refused_until_one_ends()
    {
        // The twin's own limiter, holding queries open as long-running ones would: two at once per caller, three in all.
        var limiter = api.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter!;
        HttpContext Query(string caller) => new DefaultHttpContext
        {
            Request = { Method = "GET", Path = History },
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("name", caller), new Claim(TwinClaims.Role, TwinRoles.Viewer)], "test")),
        };

        using var first = limiter.AttemptAcquire(Query("holder-a"));
        using var second = limiter.AttemptAcquire(Query("holder-a"));
        using var thirdOfA = limiter.AttemptAcquire(Query("holder-a"));
        using var ofB = limiter.AttemptAcquire(Query("holder-b"));
        using var secondOfB = limiter.AttemptAcquire(Query("holder-b"));

        Assert.True(first.IsAcquired && second.IsAcquired, "a caller runs two queries at once");
        Assert.False(thirdOfA.IsAcquired, "a caller's third query at once is refused");
        Assert.True(ofB.IsAcquired, "another caller is not held back by the first one's share");
        Assert.False(secondOfB.IsAcquired, "no more than three run in all");
        // Over HTTP the refusal is a 429 naming the concurrency cap, and the caps free up as queries end.
        using var held = api.As("holder-c", TwinRoles.Viewer);
        using var refused = await held.GetAsync(History);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("concurrency", (string)(await refused.ReadObject())["limit"]!);
        Assert.NotNull(refused.Headers.RetryAfter);
        first.Dispose();
        Assert.Equal(HttpStatusCode.OK, (await held.GetAsync(History)).StatusCode);
    }
}
