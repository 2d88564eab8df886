using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace IocTwin.Tests.NgsiLd;

/// <summary>A subscription's queue is bounded by bytes as well as by count: a receiver that is not taking keeps the newest within both.</summary>
public sealed class SubscriptionOutboxTests
{
    private static readonly LdContext Context = LdContext.Merge([("test", JsonNode.Parse("""{ "@vocab": "https://vocab.example/" }""")!.AsObject())]);

    /// <summary>Answers 204 to every notification and keeps the ids of the entities each carried.</summary>
    private sealed class Receiver : HttpMessageHandler
    {
        public ConcurrentQueue<string> Ids { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
            foreach (var entity in body["data"]!.AsArray())
            {
                Ids.Enqueue((string)entity!["id"]!);
            }
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }

    private static SubscriptionOutbox Outbox(Receiver receiver, NotificationOptions options)
    {
        var now = DateTimeOffset.UtcNow;
        var definition = SubscriptionDocument.Parse(JsonNode.Parse("""
            { "type": "Subscription", "entities": [{ "type": "Tank" }], "notification": { "endpoint": { "uri": "http://receiver.example/notify" } } }
            """)!.AsObject(), Context, new SubscriptionOwner("test", "ioc", [], []), now, now, TimeSpan.FromMilliseconds(50));
        var (context, link) = ActiveSubscription.ContextOf(null);
        return new SubscriptionOutbox(new ActiveSubscription(definition, TwinAccess.Twin, context, link), new HttpClient(receiver), options,
            TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>An entity whose rendering weighs about a kilobyte.</summary>
    private static PendingEntity Tank(int number) => new($"urn:ngsi-ld:Tank:{number}",
        new JsonObject { ["id"] = $"urn:ngsi-ld:Tank:{number}", ["type"] = "Tank", ["note"] = new string('x', 1000) }.ToJsonString(), DateTimeOffset.UtcNow);

    [Fact]
    public async Task Past_the_byte_bound_the_oldest_are_dropped_and_counted_and_the_newest_are_sent()
    {
        var receiver = new Receiver();
        await using var outbox = Outbox(receiver, new NotificationOptions { QueueLength = 1000, QueueBytes = 5 * 1024 });

        for (var i = 0; i < 20; i++)
        {
            outbox.Enqueue(Tank(i));
        }

        Assert.InRange(outbox.QueuedBytes, 1, 5 * 1024);
        var dropped = outbox.Unreported.Dropped;
        Assert.InRange(dropped, 15, 16);
        outbox.StartSending(null);
        var kept = 20 - (int)dropped;
        var expected = Enumerable.Range((int)dropped, kept).Select(i => $"urn:ngsi-ld:Tank:{i}").ToList();
        for (var wait = 0; receiver.Ids.Count < kept && wait < 200; wait++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(expected, receiver.Ids.OrderBy(id => int.Parse(id.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, outbox.QueuedBytes);
    }

    [Fact]
    public async Task The_count_bound_still_holds_for_small_entities()
    {
        await using var outbox = Outbox(new Receiver(), new NotificationOptions { QueueLength = 3, QueueBytes = 1024 * 1024 });

        for (var i = 0; i < 10; i++)
        {
            outbox.Enqueue(new PendingEntity($"urn:ngsi-ld:Tank:{i}", $$"""{"id":"urn:ngsi-ld:Tank:{{i}}"}""", DateTimeOffset.UtcNow));
        }

        Assert.Equal(7, outbox.Unreported.Dropped);
        Assert.Equal(3 * """{"id":"urn:ngsi-ld:Tank:0"}""".Length, outbox.QueuedBytes);
    }
}
