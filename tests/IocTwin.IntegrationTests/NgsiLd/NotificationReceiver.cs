using System.Collections.Concurrent;
using System.Net;
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

/// <summary>An HTTP receiver of NGSI-LD notifications on loopback, answering 204 to every POST and keeping what came.</summary>
public sealed class NotificationReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedNotification> _received = new();
    private readonly Task _loop;

    public NotificationReceiver()
    {
        Port = TestPorts.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/notify";

    /// <summary>A loopback URL nobody listens on: connections are refused.</summary>
    public static string DeadUrl() => $"http://127.0.0.1:{TestPorts.Free()}/notify";

    public IReadOnlyList<ReceivedNotification> Of(string subscriptionId) => [.. _received.Where(n => n.SubscriptionId == subscriptionId)];

    /// <summary>Waits for a notification of the subscription carrying an entity that passes <paramref name="entity"/>.</summary>
    public Task<ReceivedNotification> WaitFor(string subscriptionId, Func<JsonObject, bool> entity, string because) =>
        Eventually.Until(() => Task.FromResult(Of(subscriptionId).FirstOrDefault(n => n.Entities.Any(entity))), n => n is not null, TimeSpan.FromSeconds(20), because)!;

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var text = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            if (JsonNode.Parse(text) is JsonObject body)
            {
                _received.Enqueue(new ReceivedNotification(context.Request.ContentType, headers, body));
            }
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
