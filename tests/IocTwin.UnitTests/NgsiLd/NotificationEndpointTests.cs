using System.Net;
using IocTwin.Api.Access;
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

    [Fact]
    public void Mapped_IPv4_loopback_counts_as_internal()
    {
        Assert.True(EndpointPolicy.IsInternal(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(EndpointPolicy.IsInternal(IPAddress.Parse("203.0.113.7")));
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
