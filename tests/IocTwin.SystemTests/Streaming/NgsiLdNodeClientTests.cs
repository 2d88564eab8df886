using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>A sector system speaking NGSI-LD with a plain Node fetch client moves the twin that screens watch.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class NgsiLdNodeClientTests(TwinApiFactory api)
{
    [Fact]
    public async Task A_TrafficFlowObserved_pushed_by_fetch_changes_the_segments_level_of_service_on_the_hub()
    {
        const string scope = "district:cam-le";
        // A counter alone on its road, so the road's speed is the one written.
        var sensors = await api.Http.Get<List<SensorView>>("/api/v1/districts/cam-le/sensors");
        var counter = sensors.First(s => s.Kind == SensorKind.TrafficCounter && s.SegmentId is not null && sensors.Count(o => o.SegmentId == s.SegmentId) == 1);
        var segment = await api.Http.Get<SegmentView>($"/api/v1/segments/{counter.SegmentId}");
        var slow = Math.Round(segment.Spec!.FreeFlowSpeedKmh * 0.2, 1);
        var token = api.Token(TwinRoles.Ioc);
        await using var check = await NodeCheck.StartAsync("ngsi-ld-check.mjs", api.Http.BaseAddress!.ToString(), token, scope, counter.Id,
            segment.Spec.Id, slow.ToString(System.Globalization.CultureInfo.InvariantCulture), "F", "20000");

        var subscribed = await check.NextAsync();
        Assert.Equal("subscribed", (string?)subscribed["status"]);
        Assert.NotEqual("F", (string?)subscribed["los"]);
        var written = await check.NextAsync();
        Assert.Equal(204, (int)written["httpStatus"]!);

        var result = await check.NextAsync();
        Assert.True((string?)result["status"] == "delta", $"{result} {await api.Http.Get<SegmentView>($"/api/v1/segments/{segment.Spec.Id}")}");
        Assert.Equal(segment.Spec.Id, (string?)result["segment"]!["id"]);
        Assert.Equal("F", (string?)result["segment"]!["traffic"]!["los"]);
        Assert.Equal(slow, (double)result["segment"]!["traffic"]!["speedKmh"]!);
        Assert.Equal(0, await check.ExitCodeAsync());
    }
}
