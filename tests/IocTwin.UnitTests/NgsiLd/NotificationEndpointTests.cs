using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Model;
using Microsoft.Extensions.Options;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Which notification endpoints a caller may name, and how counters of notifications add up.</summary>
public sealed class NotificationEndpointTests
{
    private static readonly TwinAccess Ioc = SubscriptionScope.AccessOf(new SubscriptionOwner("ioc", TwinRoles.Ioc, [], []), areas: null);
    private static readonly TwinAccess DistrictOc = SubscriptionScope.AccessOf(new SubscriptionOwner("oc", TwinRoles.DistrictOc, ["hai-chau"], []), areas: null);

    private static EndpointPolicy Policy(params string[] allowed) =>
        new(Options.Create(new NotificationOptions { AllowedEndpoints = [.. allowed] }));

    [Theory]
    [InlineData("http://127.0.0.1:8080/n")]
    [InlineData("http://localhost/n")]
    [InlineData("http://[::1]/n")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[fe80::1]/n")]
    [InlineData("http://0.0.0.0/n")]
    [InlineData("http://10.1.2.3/n")]
    [InlineData("http://172.20.0.1/n")]
    [InlineData("http://192.168.1.10/n")]
    [InlineData("http://100.64.0.1/n")]
    [InlineData("http://[fd12:3456::1]/n")]
    [InlineData("http://[fec0::1]/n")]
    [InlineData("http://[::ffff:10.0.0.1]/n")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/n")]
    [InlineData("http://[2002:7f00:1::1]/n")]
    public void Internal_addresses_are_refused_even_to_the_IOC_unless_listed(string endpoint)
    {
        Assert.NotNull(Policy().Refusal(new Uri(endpoint), Ioc));
        Assert.Null(Policy(new Uri(endpoint).IdnHost.Trim('[', ']'), new Uri(endpoint).Authority).Refusal(new Uri(endpoint), Ioc));
    }

    [Fact]
    public void An_OC_may_name_listed_hosts_only_and_the_IOC_any_other()
    {
        var policy = Policy("receiver.city.example", "10.0.0.5:8443");
        Assert.Null(policy.Refusal(new Uri("https://receiver.city.example/n"), DistrictOc));
        Assert.Null(policy.Refusal(new Uri("https://10.0.0.5:8443/n"), DistrictOc));
        Assert.NotNull(policy.Refusal(new Uri("https://10.0.0.5:9443/n"), DistrictOc));
        Assert.NotNull(policy.Refusal(new Uri("https://elsewhere.example/n"), DistrictOc));
        Assert.Null(policy.Refusal(new Uri("https://elsewhere.example/n"), Ioc));
        var listOnly = new EndpointPolicy(Options.Create(new NotificationOptions { AllowedEndpoints = ["receiver.city.example"], AnyEndpointForIoc = false }));
        Assert.NotNull(listOnly.Refusal(new Uri("https://elsewhere.example/n"), Ioc));
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("64:ff9b::169.254.169.254", true)]
    [InlineData("64:ff9b::10.0.0.1", true)]
    [InlineData("2002:c0a8:0101::1", true)]
    [InlineData("fec0::5", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("100.100.100.200", true)]
    [InlineData("203.0.113.7", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("64:ff9b::203.0.113.7", false)]
    [InlineData("2002:cb00:7107::1", false)]
    [InlineData("2001:db8::1", false)]
    public void Wrapped_and_private_addresses_count_as_internal(string address, bool internalAddress) =>
        Assert.Equal(internalAddress, EndpointPolicy.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData(null, LdContextStore.CoreUrl)]
    [InlineData("\"https://city.example/ctx.jsonld\"", "https://city.example/ctx.jsonld")]
    [InlineData("[\"https://city.example/ctx.jsonld\"]", "https://city.example/ctx.jsonld")]
    [InlineData("[\"https://city.example/a.jsonld\", \"https://city.example/b.jsonld\"]", null)]
    [InlineData("{ \"speed\": \"https://city.example/speed\" }", null)]
    public void Only_a_single_URL_context_is_linked_any_other_goes_in_the_body(string? stored, string? link)
    {
        var (value, linkUrl) = ActiveSubscription.ContextOf(stored);
        Assert.Equal(link, linkUrl);
        Assert.Equal(LdContextStore.CoreUrl, (string?)(value is System.Text.Json.Nodes.JsonArray array ? array[^1] : value));
    }

    [Fact]
    public void Counters_add_up_and_the_status_follows_the_latest_attempt()
    {
        var t0 = DateTimeOffset.Parse("2026-12-06T10:00:00Z");
        var failed = NotificationCounters.None.Add(new NotificationCounters(0, 1, 0, t0, null, t0));
        Assert.Equal("failed", failed.Status);
        var recovered = failed.Add(new NotificationCounters(1, 0, 2, t0.AddSeconds(1), t0.AddSeconds(1), null));
        Assert.Equal("ok", recovered.Status);
        Assert.Equal((1, 1, 2), (recovered.TimesSent, recovered.TimesFailed, recovered.Dropped));
        Assert.Equal(t0, recovered.LastFailure);
        Assert.Equal(t0.AddSeconds(1), recovered.LastNotification);
    }
}
