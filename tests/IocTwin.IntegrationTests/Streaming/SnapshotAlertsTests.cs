using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// A screen that opens lists the open alerts its scope covers, as they stand: the API process holds them with the areas'
/// records, so an alert acknowledged or resolved elsewhere must not linger in later snapshots.
/// </summary>
[Collection(TwinApiCollection.Name)]
public sealed class SnapshotAlertsTests(TwinApiFactory api)
{
    private HttpClient Http => api.Http;

    /// <summary>The alert of this sensor in a fresh snapshot of the scope, once it satisfies the condition.</summary>
    private static Task<AlertView?> AlertInSnapshot(LiveScreen screen, string scope, string sensorId, Func<AlertView?, bool> condition, string because) =>
        Eventually.Until(async () => (await screen.Subscribe(scope)).Alerts!.FirstOrDefault(a => a.EntityId == sensorId), condition,
            TimeSpan.FromSeconds(10), because);

    [Fact]
    public async Task Snapshots_list_an_open_alert_in_its_current_state_and_drop_it_once_resolved()
    {
        await using var oc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["son-tra"]));
        await using var otherOc = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["hai-chau"]));
        await using var wall = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var sensor = await Http.NewAirSensor("son-tra");
        // The city's records taken again with the new sensor before the alert exists: what the city shows of the alert
        // from here on comes from the live updates laid over what the process holds.
        await Eventually.Until(async () => (await wall.Subscribe("city")).Sensors.Any(s => s.Id == sensor), found => found,
            because: "the city holds the new sensor");

        await Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow, new { aqi = 230 }));

        var raised = await AlertInSnapshot(oc, "district:son-tra", sensor, a => a is not null, "the district's snapshot lists the new alert");
        Assert.Equal(AlertState.Raised, raised!.State);
        var onWall = await AlertInSnapshot(wall, "city", sensor, a => a is not null, "the city's snapshot lists it too");
        Assert.Equal(raised.Id, onWall!.Id);
        Assert.DoesNotContain((await otherOc.Subscribe("district:hai-chau")).Alerts!, a => a.Id == raised.Id);

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/v1/alerts/{raised.Id}/ack", null)).StatusCode);
        var acknowledged = await AlertInSnapshot(wall, "city", sensor, a => a?.State == AlertState.Acknowledged,
            "the city's snapshot shows who acknowledged it");
        Assert.Equal("test", acknowledged!.AcknowledgedBy);
        Assert.Equal(AlertState.Acknowledged, (await AlertInSnapshot(oc, "district:son-tra", sensor, a => a is not null, "still open"))!.State);

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/v1/alerts/{raised.Id}/resolve", null)).StatusCode);
        await AlertInSnapshot(wall, "city", sensor, a => a is null, "a resolved alert leaves the city's snapshot");
        await AlertInSnapshot(oc, "district:son-tra", sensor, a => a is null, "and the district's");
    }
}
