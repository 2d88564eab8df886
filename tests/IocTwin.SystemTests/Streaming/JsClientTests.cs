using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>Browser screens use the official JavaScript client: the same checks, run under Node.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class JsClientTests(TwinApiFactory api)
{
    [Fact]
    public async Task The_JavaScript_client_receives_the_delta_of_its_scope()
    {
        const string scope = "district:lien-chieu";
        var (segment, counter) = await api.Http.CountedSegment("lien-chieu");
        var token = api.Token(TwinRoles.DistrictOc, districts: ["lien-chieu"]);
        await using var check = await NodeCheck.StartAsync("stream-check.mjs", LiveScreen.HubUrl(api).ToString(), token, scope, counter.Id, "15000");

        var subscribed = await check.NextAsync();
        Assert.Equal("subscribed", (string?)subscribed["status"]);
        Assert.Equal(scope, (string?)subscribed["scope"]);
        Assert.True((int)subscribed["sensors"]! > 0);
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.2, 1);
        var posted = await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = slow, flow = 1600 }));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var result = await check.NextAsync();
        Assert.Equal("delta", (string?)result["status"]);
        Assert.Equal(scope, (string?)result["scope"]);
        Assert.True((long)result["sequence"]! > (long)result["snapshotSequence"]!);
        var sensor = result["sensor"]!;
        Assert.Equal(counter.Id, (string?)sensor["id"]);
        Assert.Equal("lien-chieu", (string?)sensor["districtId"]);
        Assert.Equal("traffic-counter", (string?)sensor["kind"]);
        Assert.Equal(slow, (double)sensor["values"]!["speed"]!);
        Assert.Equal(1600, (double)sensor["values"]!["flow"]!);
        Assert.Equal("online", (string?)sensor["health"]);
        Assert.Equal(0, await check.ExitCodeAsync());
    }

    [Fact]
    public async Task The_JavaScript_client_of_a_district_OC_is_refused_another_district()
    {
        var (_, counter) = await api.Http.CountedSegment("hai-chau");
        var token = api.Token(TwinRoles.DistrictOc, districts: ["thanh-khe"]);
        await using var check = await NodeCheck.StartAsync("stream-check.mjs", LiveScreen.HubUrl(api).ToString(), token, "district:hai-chau", counter.Id, "15000");

        var result = await check.NextAsync();

        Assert.Equal("error", (string?)result["status"]);
        Assert.Contains("Forbidden", (string?)result["error"]);
        Assert.Contains("district:hai-chau", (string?)result["error"]);
        Assert.Equal(2, await check.ExitCodeAsync());
    }
}
