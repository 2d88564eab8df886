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
    public async Task History_queries_over_the_concurrency_caps_get_429()
    {
        var callers = Enumerable.Range(0, 6).Select(i => api.As($"concurrent-{i}", TwinRoles.Viewer)).ToList();
        try
        {
            // A month, by the minute: each query takes a moment, and 24 at once cannot all run.
            var window = $"from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-30).ToString("O"))}&step=PT5M";
            var answers = await Task.WhenAll(callers.SelectMany(c => Enumerable.Range(0, 4).Select(async _ =>
            {
                using var response = await c.GetAsync($"{History}?{window}");
                return (response.StatusCode, Limit: response.StatusCode == HttpStatusCode.TooManyRequests ? (string?)(await response.ReadObject())["limit"] : null);
            })));

            Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
            Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.OK || a.Limit == "concurrency", $"{a.StatusCode} {a.Limit}"));
            // The caps free up as queries end.
            Assert.Equal(HttpStatusCode.OK, (await callers[0].GetAsync(History)).StatusCode);
        }
        finally
        {
            callers.ForEach(c => c.Dispose());
        }
    }
}
