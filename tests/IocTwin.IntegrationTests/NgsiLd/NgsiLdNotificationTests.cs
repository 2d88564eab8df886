using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// Subscriptions notify a receiver on loopback when a reading changes what they watch. "Not notified" is shown with a
/// second subscription on the same entity that notifies every change: once it has heard of a change, the change has
/// been matched against every subscription, and anything queued for the one under test would come before what follows.
/// </summary>
[Collection(NotificationsCollection.Name)]
public sealed class NgsiLdNotificationTests(NotificationsTwinFactory api) : IDisposable
{
    private readonly NotificationReceiver _receiver = new();
    private HttpClient Http => api.Http;

    public void Dispose() => _receiver.Dispose();

    [Fact]
    public async Task A_reading_notifies_the_changed_attribute_in_keyValues_with_the_context_link_and_receiver_headers()
    {
        var counter = (await Http.Counters("hai-chau"))[0];
        var id = await Http.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved", "id": "{{SubscriptionCalls.Urn(counter)}}" } ],
              "watchedAttributes": ["averageVehicleSpeed"],
              "notification": { "attributes": ["averageVehicleSpeed"], "format": "keyValues",
                "endpoint": { "uri": "{{_receiver.Url}}", "receiverInfo": [ { "key": "X-City-Token", "value": "abc" } ] } } }
            """);

        await Http.Reading(counter.Id, new { speed = 41.5, flow = 900 });

        var notification = await _receiver.WaitFor(id, e => (double?)e["averageVehicleSpeed"] == 41.5, "the reading is notified");
        Assert.Equal("application/json", notification.ContentType?.Split(';')[0]);
        Assert.Contains("smartdatamodels.org/context.jsonld", notification.Headers["Link"]);
        Assert.Equal("abc", notification.Headers["X-City-Token"]);
        Assert.Equal("Notification", (string)notification.Body["type"]!);
        Assert.StartsWith("urn:ngsi-ld:Notification:", (string)notification.Body["id"]!);
        var entity = Assert.Single(notification.Entities);
        Assert.Equal(SubscriptionCalls.Urn(counter), (string)entity["id"]!);
        Assert.Equal("TrafficFlowObserved", (string)entity["type"]!);
        Assert.Null(entity["intensity"]);
        var read = await Eventually.Until(() => Http.Subscription(id), s => (long?)s["notification"]!["timesSent"] >= 1);
        Assert.Equal("ok", (string)read["notification"]!["status"]!);
        Assert.NotNull(read["notification"]!["lastSuccess"]);
        Assert.Equal("active", (string)read["status"]!);
    }

    [Fact]
    public async Task A_context_entity_notifies_its_subscribers_when_created_and_when_an_attribute_is_updated()
    {
        var id = $"urn:ngsi-ld:Kiosk:{Guid.NewGuid():N}";
        var subscription = await Http.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "Kiosk", "id": "{{id}}" } ], "watchedAttributes": ["temperature"],
              "notification": { "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);

        var created = await Http.NgsiWrite("/entities", $$"""{ "id": "{{id}}", "type": "Kiosk", "temperature": { "type": "Property", "value": 21.5 } }""");
        Assert.True(created.Status == HttpStatusCode.Created, $"{created.Status} {created.Body}");
        await _receiver.WaitFor(subscription, e => (double?)e["temperature"] == 21.5, "the creation is notified");

        var updated = await Http.NgsiWrite($"/entities/{id}/attrs", """{ "temperature": { "type": "Property", "value": 24 } }""", HttpMethod.Patch);
        Assert.True(updated.Status == HttpStatusCode.NoContent, $"{updated.Status} {updated.Body}");
        var notification = await _receiver.WaitFor(subscription, e => (double?)e["temperature"] == 24, "the update is notified");
        Assert.Equal("Kiosk", (string)Assert.Single(notification.Entities)["type"]!);
    }

    [Fact]
    public async Task An_ld_json_receiver_gets_normalized_entities_with_their_context_in_the_body()
    {
        var counter = (await Http.Counters("hai-chau"))[1];
        var id = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url).Replace("\"keyValues\"", "\"normalized\"")
            .Replace($"\"uri\": \"{_receiver.Url}\"", $"\"uri\": \"{_receiver.Url}\", \"accept\": \"application/ld+json\""));

        await Http.Reading(counter.Id, new { speed = 27.0, occupancy = 35 });

        var notification = await _receiver.WaitFor(id, e => (double?)e["averageVehicleSpeed"]?["value"] == 27.0, "the reading is notified");
        Assert.Equal("application/ld+json", notification.ContentType?.Split(';')[0]);
        Assert.Contains("smartdatamodels.org/context.jsonld", notification.Body["@context"]!.ToJsonString());
        var entity = Assert.Single(notification.Entities);
        Assert.Equal("Property", (string)entity["occupancy"]!["type"]!);
        Assert.Equal(0.35, (double)entity["occupancy"]!["value"]!, 6);
        Assert.Equal("C62", (string)entity["occupancy"]!["unitCode"]!);
    }

    [Fact]
    public async Task q_and_watchedAttributes_leave_out_changes_they_do_not_select()
    {
        var counter = (await Http.Counters("hai-chau"))[2];
        var every = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url));
        var fast = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url, """, "q": "averageVehicleSpeed>100" """));
        var occupancy = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url, """, "watchedAttributes": ["occupancy"] """));

        await Http.Reading(counter.Id, new { speed = 30.0 });
        await _receiver.WaitFor(every, e => (double?)e["averageVehicleSpeed"] == 30.0, "the slow reading is matched");
        await Http.Reading(counter.Id, new { speed = 120.0, occupancy = 12 });

        await _receiver.WaitFor(fast, e => (double?)e["averageVehicleSpeed"] == 120.0, "the fast reading passes q");
        await _receiver.WaitFor(occupancy, e => (double?)e["occupancy"] == 0.12, "the occupancy reading is watched");
        Assert.DoesNotContain(_receiver.Of(fast).SelectMany(n => n.Entities), e => (double?)e["averageVehicleSpeed"] == 30.0);
        Assert.DoesNotContain(_receiver.Of(occupancy).SelectMany(n => n.Entities), e => (double?)e["averageVehicleSpeed"] == 30.0);
    }

    [Fact]
    public async Task Throttling_keeps_notifications_apart_and_the_latest_value_still_arrives()
    {
        var counter = (await Http.Counters("hai-chau"))[3];
        var every = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url));
        var throttled = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url, """, "throttling": 2 """));

        foreach (var speed in new[] { 51.0, 52.0, 53.0 })
        {
            await Http.Reading(counter.Id, new { speed });
            await _receiver.WaitFor(every, e => (double?)e["averageVehicleSpeed"] == speed, "each reading is matched");
        }

        await _receiver.WaitFor(throttled, e => (double?)e["averageVehicleSpeed"] == 53.0, "the latest value is notified");
        var times = _receiver.Of(throttled).Select(n => n.NotifiedAt).Order().ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(1.9), $"{pair.First:O} → {pair.Second:O}"));
    }

    [Fact]
    public async Task Paused_deleted_and_expired_subscriptions_do_not_notify_and_a_resumed_one_does()
    {
        var counter = (await Http.Counters("hai-chau"))[4];
        var every = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url));
        var paused = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url, """, "isActive": false """));
        var deleted = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url));
        var expiring = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url,
            $$""", "expiresAt": "{{DateTimeOffset.UtcNow.AddSeconds(2):O}}" """));
        Assert.Equal("paused", (string)(await Http.Subscription(paused))["status"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync("/ngsi-ld/v1/subscriptions/" + Uri.EscapeDataString(deleted))).StatusCode);
        await Eventually.Until(() => Http.Subscription(expiring), s => (string?)s["status"] == "expired", TimeSpan.FromSeconds(20));

        await Http.Reading(counter.Id, new { speed = 61.0 });
        await _receiver.WaitFor(every, e => (double?)e["averageVehicleSpeed"] == 61.0, "the reading is matched");
        var (status, body, _) = await Http.NgsiWrite("/subscriptions/" + Uri.EscapeDataString(paused), """{ "isActive": true }""", HttpMethod.Patch);
        Assert.True(status == HttpStatusCode.NoContent, $"{status} {body}");
        await Http.Reading(counter.Id, new { speed = 62.0 });

        await _receiver.WaitFor(paused, e => (double?)e["averageVehicleSpeed"] == 62.0, "the resumed subscription notifies");
        await _receiver.WaitFor(every, e => (double?)e["averageVehicleSpeed"] == 62.0, "the second reading is matched");
        Assert.DoesNotContain(_receiver.Of(paused).SelectMany(n => n.Entities), e => (double?)e["averageVehicleSpeed"] == 61.0);
        Assert.Empty(_receiver.Of(deleted));
        Assert.Empty(_receiver.Of(expiring));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.Ngsi("/subscriptions/" + Uri.EscapeDataString(deleted))).Status);
    }

    [Fact]
    public async Task A_dead_receiver_delays_neither_ingest_nor_another_subscription_and_its_failures_are_counted()
    {
        var counter = (await Http.Counters("hai-chau"))[5];
        var dead = await Http.Subscribe(SubscriptionCalls.On(counter, NotificationReceiver.DeadUrl()));
        var live = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url));

        foreach (var speed in new[] { 71.0, 72.0, 73.0 })
        {
            await Http.Reading(counter.Id, new { speed });
            await _receiver.WaitFor(live, e => (double?)e["averageVehicleSpeed"] == speed, "the live receiver gets each reading");
        }

        var failing = await Eventually.Until(() => Http.Subscription(dead), s => (long?)s["notification"]!["timesFailed"] >= 2);
        Assert.Equal("failed", (string)failing["notification"]!["status"]!);
        Assert.NotNull(failing["notification"]!["lastFailure"]);
        Assert.Null(failing["notification"]!["lastSuccess"]);
        Assert.Equal(0, (long)failing["notification"]!["timesSent"]!);
    }

    [Fact]
    public async Task A_district_OCs_subscription_is_never_notified_of_another_districts_entity()
    {
        var outside = (await Http.Counters("cam-le"))[0];
        var inside = (await Http.Counters("hai-chau"))[6];
        var every = await Http.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved", "id": "{{SubscriptionCalls.Urn(outside)}}" } ],
              "notification": { "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);
        using var oc = api.CreateClient(TwinRoles.DistrictOc, ["hai-chau"]);
        var mine = await oc.Subscribe($$"""
            { "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved" } ], "watchedAttributes": ["averageVehicleSpeed"],
              "notification": { "format": "keyValues", "endpoint": { "uri": "{{_receiver.Url}}" } } }
            """);
        try
        {
            await OnlyInItsDistrict(outside, inside, every, mine);
        }
        finally
        {
            foreach (var id in new[] { every, mine })
            {
                await Http.DeleteAsync("/ngsi-ld/v1/subscriptions/" + Uri.EscapeDataString(id));
            }
        }
    }

    private async Task OnlyInItsDistrict(SensorView outside, SensorView inside, string every, string mine)
    {
        await Http.Reading(outside.Id, new { speed = 81.0 });
        await _receiver.WaitFor(every, e => (double?)e["averageVehicleSpeed"] == 81.0, "the other district's reading is matched");
        await Http.Reading(inside.Id, new { speed = 82.0 });

        await _receiver.WaitFor(mine, e => (string?)e["id"] == SubscriptionCalls.Urn(inside), "the OC's own district is notified");
        Assert.DoesNotContain(_receiver.Of(mine).SelectMany(n => n.Entities), e => ((string)e["id"]!).EndsWith(":" + outside.Id, StringComparison.Ordinal));
        // Its roads' live traffic is the OC's too; nothing of another district is.
        var haiChau = (await Http.Counters("hai-chau")).Select(SubscriptionCalls.Urn)
            .Concat((await Http.Get<List<SegmentView>>("/api/v1/districts/hai-chau/segments")).Select(s => $"urn:ngsi-ld:TrafficFlowObserved:{s.Id}"))
            .ToHashSet();
        Assert.All(_receiver.Of(mine).SelectMany(n => n.Entities), e => Assert.Contains((string)e["id"]!, haiChau));
    }

    [Fact]
    public async Task A_periodic_subscription_sends_its_entities_each_interval_without_any_change()
    {
        var counter = (await Http.Counters("hai-chau"))[9];
        await Http.Reading(counter.Id, new { speed = 44.0 });
        var periodic = await Http.Subscribe(SubscriptionCalls.On(counter, _receiver.Url, """, "timeInterval": 1 """));

        await Eventually.Until(() => Task.FromResult(_receiver.Of(periodic).Count), count => count >= 2, TimeSpan.FromSeconds(20), "two intervals");

        Assert.All(_receiver.Of(periodic), n => Assert.Equal(44.0, (double?)Assert.Single(n.Entities)["averageVehicleSpeed"]));
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync("/ngsi-ld/v1/subscriptions/" + Uri.EscapeDataString(periodic))).StatusCode);
    }
}
