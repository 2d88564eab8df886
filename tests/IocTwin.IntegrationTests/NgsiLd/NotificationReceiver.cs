using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>One notification as the receiver got it: content type, headers and body.</summary>
public sealed record ReceivedNotification(string? ContentType, IReadOnlyDictionary<string, string> Headers, JsonObject Body)
{
    public string SubscriptionId => (string)Body["subscriptionId"]!;

    public IEnumerable<JsonObject> Entities => Body["data"]!.AsArray().OfType<JsonObject>();

    public DateTimeOffset NotifiedAt => DateTimeOffset.Parse((string)Body["notifiedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An HTTP receiver of NGSI-LD notifications on loopback, keeping what came.</summary>
public sealed class NotificationReceiver : IDisposable
{
    private readonly ConcurrentQueue<ReceivedNotification> _received = new();
    private readonly LoopbackReceiver _receiver;

    public NotificationReceiver() =>
        _receiver = new LoopbackReceiver(request => _received.Enqueue(new ReceivedNotification(request.ContentType, request.Headers, request.Body)));

    public string Url => _receiver.Url;

    /// <summary>A loopback URL nobody listens on: connections are refused.</summary>
    public static string DeadUrl() => $"http://127.0.0.1:{TestPorts.Free()}/notify";

    public IReadOnlyList<ReceivedNotification> Of(string subscriptionId) => [.. _received.Where(n => n.SubscriptionId == subscriptionId)];

    /// <summary>Waits for a notification of the subscription carrying an entity that passes <paramref name="entity"/>.</summary>
    public Task<ReceivedNotification> WaitFor(string subscriptionId, Func<JsonObject, bool> entity, string because) =>
        Eventually.Until(() => Task.FromResult(Of(subscriptionId).FirstOrDefault(n => n.Entities.Any(entity))), n => n is not null, TimeSpan.FromSeconds(20), because)!;

    public void Dispose() => _receiver.Dispose();
}
