using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// Subscriptions on Vehicles are notified when an asset reports a position, within their owner's scope. "Not notified"
/// is shown as in <see cref="NgsiLdNotificationTests"/>: a subscription of the IOC on the same Vehicle hears of the
/// change, so it was matched against every subscription.
/// </summary>
[Collection(NotificationsCollection.Name)]
public sealed class NgsiLdVehicleNotificationTests(NotificationsTwinFactory api) : IDisposable
{
    private readonly NotificationReceiver _receiver = new();
    private HttpClient Http => api.Http;

    public void Dispose() => _receiver.Dispose();

    private async Task ReportAsync(string assetId, GeoPoint at, double speed)
    {
        var (status, body, _) = await Http.NgsiWrite($"/entities/urn:ngsi-ld:Vehicle:{assetId}/attrs", $$"""
            { "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [{{at.Lon}}, {{at.Lat}}] },
                "observedAt": "{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}" },
              "speed": { "type": "Property", "value": {{speed}}, "unitCode": "KMH" },
              "serviceStatus": { "type": "Property", "value": "enRoute" } }
            """, HttpMethod.Patch);
        Assert.True(status == HttpStatusCode.NoContent, $"{status} {body}");
    }

    /// <summary>The Vehicle's position; none for one notified before it reported any (e.g. as its subscription began).</summary>
    private static double[] Coordinates(System.Text.Json.Nodes.JsonObject vehicle) =>
        vehicle["location"]?["coordinates"] is { } coordinates ? [.. coordinates.AsArray().Select(c => (double)c!)] : [];

    [Fact]
    public async Task A_position_report_notifies_the_Vehicles_subscribers_with_its_new_location_and_q_selects_by_speed()
    {
        var asset = await Http.RegisterAsset("ambulance");
        var place = await Http.PlaceIn("hai-chau");
        var urn = $"urn:ngsi-ld:Vehicle:{asset}";
        var byId = await Http.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "Vehicle", "id": "{{urn}}" } ], "watchedAttributes": ["location"],
              "notification": { "attributes": ["location", "speed", "serviceStatus"], "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);
        var fast = await Http.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "Vehicle", "id": "{{urn}}" } ], "q": "speed>80",
              "notification": { "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);

        await ReportAsync(asset, place, speed: 35);

        // The asset's registration may be notified too, before it has a position: wait for the report's.
        var notification = await _receiver.WaitFor(byId, e => (string?)e["id"] == urn && Coordinates(e).Length > 0, "the position report is notified");
        var vehicle = Assert.Single(notification.Entities);
        Assert.Equal("Vehicle", (string)vehicle["type"]!);
        Assert.Equal([place.Lon, place.Lat], Coordinates(vehicle));
        Assert.Equal((35.0, "enRoute"), ((double)vehicle["speed"]!, (string)vehicle["serviceStatus"]!));
        Assert.Null(vehicle["vehicleType"]);

        var moved = new GeoPoint(place.Lon + 0.0005, place.Lat);
        await ReportAsync(asset, moved, speed: 90);
        await _receiver.WaitFor(byId, e => Coordinates(e).SequenceEqual([moved.Lon, moved.Lat]), "the move is notified");
        await _receiver.WaitFor(fast, e => (double?)e["speed"] == 90, "the fast report passes q");
        Assert.DoesNotContain(_receiver.Of(fast).SelectMany(n => n.Entities), e => (double?)e["speed"] == 35);
    }

    [Fact]
    public async Task An_OCs_Vehicle_subscription_is_never_notified_of_an_asset_outside_its_scope()
    {
        var (outside, inside) = (await Http.RegisterAsset("bus"), await Http.RegisterAsset("bus"));
        var (camLe, haiChau) = (await Http.PlaceIn("cam-le"), await Http.PlaceIn("hai-chau"));
        var every = await Http.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "Vehicle", "id": "urn:ngsi-ld:Vehicle:{{outside}}" } ],
              "notification": { "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);
        using var oc = api.CreateClient(TwinRoles.DistrictOc, ["hai-chau"]);
        var mine = await oc.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "Vehicle" } ], "watchedAttributes": ["location"],
              "notification": { "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);

        try
        {
            await ReportAsync(outside, camLe, speed: 20);
            await _receiver.WaitFor(every, e => (string?)e["id"] == $"urn:ngsi-ld:Vehicle:{outside}", "the other district's asset is matched");
            await ReportAsync(inside, haiChau, speed: 25);

            await _receiver.WaitFor(mine, e => (string?)e["id"] == $"urn:ngsi-ld:Vehicle:{inside}", "the OC's own district's asset is notified");
            Assert.DoesNotContain(_receiver.Of(mine).SelectMany(n => n.Entities), e => (string?)e["id"] == $"urn:ngsi-ld:Vehicle:{outside}");
            Assert.All(_receiver.Of(mine).SelectMany(n => n.Entities), e => Assert.Equal("hai-chau", (string?)e["areaServed"]));
        }
        finally
        {
            // Other tests of this twin list the district OC's subscriptions: this one leaves none behind.
            foreach (var id in new[] { mine, every })
            {
                await Http.DeleteAsync("/ngsi-ld/v1/subscriptions/" + Uri.EscapeDataString(id));
            }
        }
    }
}
