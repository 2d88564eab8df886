using System.Net;
using IocTwin.Api.Extensions;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>
/// Every answer — a screen, a script, an API answer, a refusal, a miss — carries the Content-Security-Policy, nosniff
/// and no-referrer, so a name from the data cannot run as script and nothing is framed or sniffed. (That the screens
/// work under the policy is checked in Chromium: tests/browser/hostile-data.test.mjs.)
/// </summary>
[Collection(TwinApiCollection.Name)]
public sealed class SecurityHeadersTests(TwinApiFactory api)
{
    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/oc", HttpStatusCode.OK)]
    [InlineData("/report", HttpStatusCode.OK)]
    [InlineData("/scenario", HttpStatusCode.OK)]
    [InlineData("/js/map.js", HttpStatusCode.OK)]
    [InlineData("/api/v1/districts", HttpStatusCode.Unauthorized)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    public async Task Anonymous_answers_carry_the_policy(string path, HttpStatusCode status)
    {
        using var anonymous = api.CreateClient();

        using var response = await anonymous.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        AssertHeaders(response);
    }

    [Fact]
    public async Task API_answers_carry_the_policy()
    {
        using var response = await api.Http.GetAsync("/api/v1/districts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertHeaders(response);
    }

    private static void AssertHeaders(HttpResponseMessage response)
    {
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(SecurityHeadersExtensions.ContentSecurityPolicy, policy);
        foreach (var directive in new[] { "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'" })
        {
            Assert.Contains(directive, policy.Split(';').Select(d => d.Trim()));
        }
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}
