using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class AlertsApiTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    private async Task<AlertView?> AlertOf(string sensorId, string districtId) =>
        (await Http.Get<List<AlertView>>($"/api/v1/alerts?district={districtId}")).FirstOrDefault(a => a.EntityId == sensorId);

    [Fact]
    public async Task Bad_air_raises_an_alert_that_is_acknowledged_resolved_and_counted_in_the_district()
    {
        var sensor = await Http.NewAirSensor("cam-le");
        var openBefore = (await Http.Get<DistrictView>("/api/v1/districts/cam-le")).Kpis.OpenAlerts.Value ?? 0;

        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow, new { aqi = 190 }));

        var raised = await Eventually.Until(() => AlertOf(sensor, "cam-le"), a => a is not null);
        Assert.Equal(AlertState.Raised, raised!.State);
        Assert.Equal("aqi-unhealthy", raised.RuleId);
        Assert.Equal(Sector.Environment, raised.Sector);
        await Eventually.Until(() => Http.Get<DistrictView>("/api/v1/districts/cam-le"), d => d.Kpis.OpenAlerts.Value == openBefore + 1);

        var ack = await (await Http.PostAsync($"/api/v1/alerts/{raised.Id}/ack", null)).ReadObject();
        Assert.Equal("acknowledged", (string)ack["state"]!);
        Assert.Equal("test", (string)ack["acknowledgedBy"]!);
        Assert.Equal(AlertState.Acknowledged, (await AlertOf(sensor, "cam-le"))!.State);

        var resolve = await Http.PostAsync($"/api/v1/alerts/{raised.Id}/resolve", null);
        Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        Assert.Equal(AlertState.Resolved, (await AlertOf(sensor, "cam-le"))!.State);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync($"/api/v1/alerts/{raised.Id}/resolve", null)).StatusCode);
        await Eventually.Until(() => Http.Get<DistrictView>("/api/v1/districts/cam-le"), d => d.Kpis.OpenAlerts.Value == openBefore);
    }

    [Fact]
    public async Task Hysteresis_keeps_one_alert_until_the_air_is_clearly_better()
    {
        var sensor = await Http.NewAirSensor("thanh-khe");
        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow, new { aqi = 170 }));
        var raised = await Eventually.Until(() => AlertOf(sensor, "thanh-khe"), a => a is not null);

        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow.AddSeconds(1), new { aqi = 140 }));
        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow.AddSeconds(2), new { aqi = 152 }));
        await Task.Delay(500);
        var alerts = (await Http.Get<List<AlertView>>("/api/v1/alerts?district=thanh-khe")).Where(a => a.EntityId == sensor).ToList();
        Assert.Equal(raised!.Id, Assert.Single(alerts).Id);

        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow.AddSeconds(3), new { aqi = 100 }));
        var resolved = await Eventually.Until(() => AlertOf(sensor, "thanh-khe"), a => a!.State == AlertState.Resolved);
        Assert.Equal("system", resolved!.ResolvedBy);
    }

    [Fact]
    public async Task Alerts_are_scoped_and_pushed_to_the_screens_that_cover_them()
    {
        var sensor = await Http.NewAirSensor("ngu-hanh-son");
        var frames = new List<JsonElement>();
        await using var screen = new HubConnectionBuilder()
            .WithUrl(new Uri(Http.BaseAddress!, "/hubs/twin"),
                o => o.AccessTokenProvider = () => Task.FromResult<string?>(api.Token(TwinRoles.DistrictOc, districts: ["ngu-hanh-son"])))
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        screen.On<JsonElement>("alert", frame => { lock (frames) frames.Add(frame); });
        await screen.StartAsync();
        await screen.InvokeAsync<JsonElement>("Subscribe", "district:ngu-hanh-son");

        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow, new { aqi = 260 }));

        var alert = await Eventually.Until(() => AlertOf(sensor, "ngu-hanh-son"), a => a is not null);
        await Eventually.Until(() => Task.FromResult(frames.ToList()),
            f => f.Any(x => x.GetProperty("alert").GetProperty("id").GetString() == alert!.Id), because: "the district's screen is told");

        // A screen subscribing now finds the alert in its snapshot.
        var snapshot = await screen.InvokeAsync<JsonElement>("Subscribe", "district:ngu-hanh-son");
        Assert.Contains(snapshot.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == alert!.Id);

        using var ownOc = api.CreateClient(TwinRoles.DistrictOc, districts: ["ngu-hanh-son"]);
        using var otherOc = api.CreateClient(TwinRoles.DistrictOc, districts: ["hai-chau"]);
        using var viewer = api.CreateClient(TwinRoles.Viewer);
        Assert.Contains((await ownOc.Get<List<AlertView>>("/api/v1/alerts")), a => a.Id == alert!.Id);
        Assert.DoesNotContain((await otherOc.Get<List<AlertView>>("/api/v1/alerts")), a => a.DistrictId != "hai-chau");
        Assert.Equal(HttpStatusCode.NotFound, (await otherOc.PostAsync($"/api/v1/alerts/{alert!.Id}/ack", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ownOc.PostAsync($"/api/v1/alerts/{alert.Id}/ack", null)).StatusCode);
    }

    [Theory]
    [InlineData("?state=melted", "state")]
    [InlineData("?sector=astrology", "sector")]
    [InlineData("?district=bad%20id", "district")]
    public async Task Bad_alert_queries_are_400s(string query, string field)
    {
        var response = await Http.GetAsync($"/api/v1/alerts{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    [Fact]
    public async Task Rules_are_configurable_and_validated()
    {
        var put = await Http.PutJson("/api/v1/alert-rules/noise-loud",
            """{ "name": "Noise over 85 dB", "kind": "noise", "metric": "db", "threshold": 85, "clearThreshold": 80, "severity": "info" }""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains(await Http.Get<List<AlertRule>>("/api/v1/alert-rules"), r => r.Id == "noise-loud" && r.Threshold == 85);

        var bad = await Http.PutJson("/api/v1/alert-rules/noise-loud", """{ "name": "x", "metric": "db", "threshold": 85, "clearThreshold": 90 }""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("clearThreshold", await bad.ProblemFields());
        using var viewer = api.CreateClient(TwinRoles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/v1/alert-rules/noise-loud")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync("/api/v1/alert-rules/noise-loud")).StatusCode);
    }
}
