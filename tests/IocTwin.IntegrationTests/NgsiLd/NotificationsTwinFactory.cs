using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// The sample twin with notification endpoints on loopback allowed (the test receivers listen there) and quick retries
/// and counter reports. Given a database folder, it stores there, so that a second twin can start on the same database.
/// </summary>
public sealed class NotificationsTwinFactory : TwinApiFactory
{
    /// <summary>Where the twin stores; unset, a folder of its own.</summary>
    public string? DatabaseFolder { get; init; }

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            if (DatabaseFolder is not null)
            {
                Directory.CreateDirectory(DatabaseFolder);
                settings["Twin:ConnectionString"] = $"Data Source={Path.Combine(DatabaseFolder, "twin.db")}";
            }
            settings["NgsiLd:Notifications:AllowedEndpoints:0"] = "127.0.0.1";
            settings["NgsiLd:Notifications:RetryDelay"] = "00:00:00.100";
            settings["NgsiLd:Notifications:MaxRetryDelay"] = "00:00:00.400";
            settings["NgsiLd:Notifications:MaxAttempts"] = "3";
            settings["NgsiLd:Notifications:ReportInterval"] = "00:00:00.200";
            settings["NgsiLd:Notifications:MinTimeInterval"] = "00:00:01";
            return settings;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NotificationsCollection : ICollectionFixture<NotificationsTwinFactory>
{
    public const string Name = "ngsi-ld notifications twin";
}

/// <summary>Subscriptions and readings as the tests write them.</summary>
public static class SubscriptionCalls
{
    /// <summary>Creates a subscription under the Smart Data Models context; its id from the Location header.</summary>
    public static async Task<string> Subscribe(this HttpClient http, string json)
    {
        var (status, body, response) = await http.NgsiWrite("/subscriptions", json);
        Assert.True(status == HttpStatusCode.Created, $"{status} {body}");
        return Uri.UnescapeDataString(response.Headers.Location!.ToString()[(NgsiLdClient.Api + "/subscriptions/").Length..]);
    }

    public static async Task<JsonObject> Subscription(this HttpClient http, string id)
    {
        var (status, body, _) = await http.Ngsi("/subscriptions/" + Uri.EscapeDataString(id), NgsiLdClient.SdmLink);
        Assert.True(status == HttpStatusCode.OK, $"{status} {body}");
        return body!.AsObject();
    }

    public static async Task Reading(this HttpClient http, string sensorId, object values)
    {
        var response = await http.PostReadings(TwinApiClient.Reading(sensorId, DateTimeOffset.UtcNow, values));
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The district's traffic counters on roads, in a stable order, so that tests can each take their own.</summary>
    public static async Task<List<SensorView>> Counters(this HttpClient http, string districtId) =>
        [.. (await http.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors"))
            .Where(s => s.Kind == SensorKind.TrafficCounter && s.SegmentId is not null).OrderBy(s => s.Id, StringComparer.Ordinal)];

    public static string Urn(SensorView counter) => $"urn:ngsi-ld:TrafficFlowObserved:{counter.Id}";

    /// <summary>A subscription to one counter's TrafficFlowObserved, notifying the receiver; more members spliced in.</summary>
    public static string On(SensorView counter, string endpoint, string more = "") => $$"""
        { "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved", "id": "{{Urn(counter)}}" } ] {{more}},
          "notification": { "format": "keyValues", "endpoint": { "uri": "{{endpoint}}" } } }
        """;
}
