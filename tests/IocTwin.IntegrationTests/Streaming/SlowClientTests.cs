using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Streaming;

/// <summary>The twin with the smallest outbox and connection buffers, so a screen that stops reading falls behind fast.</summary>
public class TightBuffersTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Streaming:OutboxCapacity"] = "1",
        ["Streaming:ConnectionBufferBytes"] = "1024",
        ["Streaming:MaxFramesPerSecond"] = "20",
    };
}

[CollectionDefinition(Name)]
public sealed class TightBuffersCollection : ICollectionFixture<TightBuffersTwinApiFactory>
{
    public const string Name = "twin api with tight streaming buffers";
}

[Collection(TightBuffersCollection.Name)]
public sealed class SlowClientTests(TightBuffersTwinApiFactory api)
{
    private const string Scope = "city";

    [Fact]
    public async Task A_stalled_screen_is_told_to_resync_while_a_healthy_screen_on_the_same_scope_misses_nothing()
    {
        var token = api.Token(TwinRoles.Ioc);
        var slow = await PollingScreen.ConnectAsync(api.CreateClient(), token);
        await slow.Subscribe(Scope);
        await using var healthy = await LiveScreen.ConnectAsync(api, token);
        var healthySnapshot = await healthy.Subscribe(Scope);

        var sensors = await SampleReadings.AllSensors(api.Http);
        using var feedStop = new CancellationTokenSource();
        var feed = Task.Run(async () =>
        {
            for (var round = 0; !feedStop.IsCancellationRequested; round++)
            {
                var response = await api.Http.PostReadings(SampleReadings.Round(sensors.Where((_, i) => i % 10 == round % 10), round));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                await Task.Delay(20);
            }
        });
        ResyncFrame? resync;
        try
        {
            // The slow screen stops polling. Its outbox (17 frames) and 1 KB of connection buffer fill within a few
            // dozen frames; the healthy screen must keep receiving all along.
            var healthyAtStall = healthy.Deltas.Count;
            await Eventually.Until(() => Task.FromResult(healthy.Deltas.Count), n => n >= healthyAtStall + 40,
                TimeSpan.FromSeconds(15), "the healthy screen keeps receiving while the other is stalled");

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((resync = slow.Resyncs.FirstOrDefault()) is null && DateTime.UtcNow < deadline)
            {
                await slow.PollAsync();
            }
        }
        finally
        {
            await feedStop.CancelAsync();
            await feed;
        }

        Assert.NotNull(resync);
        Assert.Equal(Scope, resync.Scope);
        Assert.False(string.IsNullOrWhiteSpace(resync.Reason));
        var seen = healthy.SequencesAfter(healthySnapshot);
        Assert.Empty(healthy.Resyncs);
        Assert.Equal(healthy.DeltasOf(Scope).Count(d => d.Sequence > healthySnapshot.Sequence), healthy.DeltasOf(Scope).Count);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => healthySnapshot.Sequence + i), seen);

        // A resynced screen takes a new snapshot and follows the live feed again.
        var fresh = await slow.Subscribe(Scope);
        Assert.True(fresh.Sequence >= seen[^1]);
        var counter = sensors.First(s => s.Kind == SensorKind.TrafficCounter);
        await api.Http.PostReadings(TwinApiClient.Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 33.3, flow = 333 }));
        var deadlineAfter = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!slow.Deltas.Any(d => d.Sequence > fresh.Sequence && d.Sensors.Any(s => s.Id == counter.Id && s.Values.GetValueOrDefault("flow") == 333)))
        {
            Assert.True(DateTime.UtcNow < deadlineAfter, "the resynced screen streams again");
            await slow.PollAsync();
        }
        await slow.CloseAsync();

        // Never a silent gap: where the stalled screen lost frames, a resync came first.
        long? lastSequence = null;
        var resyncedSince = false;
        var gaps = 0;
        foreach (var frame in slow.Received)
        {
            if (frame is ResyncFrame)
            {
                resyncedSince = true;
                continue;
            }
            if (frame is not DeltaFrame delta)
            {
                continue;
            }
            if (lastSequence is { } last && (delta.First ?? delta.Sequence) != last + 1)
            {
                Assert.True(resyncedSince, $"frame {delta.Sequence} followed {last} without a resync");
                gaps++;
            }
            lastSequence = delta.Sequence;
            resyncedSince = false;
        }
        Assert.True(gaps > 0, "the stalled screen lost frames, hence the resync");
    }
}
