using System.Globalization;
using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// The twin sending the city in many small parts through tight connection buffers and a small outbox, with frames
/// as often as a scope may send them: a screen taking the parts at its own pace sees the scope's deltas pile up behind them.
/// </summary>
public sealed class BusyFeedSnapshotPartsTwinApiFactory : TightBuffersTwinApiFactory
{
    public const int SensorsPerPart = 10;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Streaming:SnapshotSensorsPerFrame"] = SensorsPerPart.ToString(CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class BusyFeedSnapshotPartsCollection : ICollectionFixture<BusyFeedSnapshotPartsTwinApiFactory>
{
    public const string Name = "twin api sending small snapshot parts through tight buffers";
}

/// <summary>
/// A big scope subscribed while readings pour in, by a screen that reads one message every so often (a busy browser
/// drawing what it got): the scope's deltas that come while its parts are on their way are held merged behind them,
/// not queued until the outbox overflows into a resync.
/// </summary>
[Collection(BusyFeedSnapshotPartsCollection.Name)]
public sealed class BusyFeedSnapshotPartsTests(BusyFeedSnapshotPartsTwinApiFactory api)
{
    private const string Scope = "city";
    /// <summary>The slow screen's pause after each poll: it takes about one message per poll through the tight buffers.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_city_subscribed_under_a_busy_feed_by_a_slow_screen_arrives_whole_without_a_resync()
    {
        var sensors = await SampleReadings.AllSensors(api.Http);
        var screen = await PollingScreen.ConnectAsync(api.CreateClient(), api.Token(TwinRoles.Ioc));

        var snapshot = await SubscribeUnderFeed(screen, sensors);

        Assert.Empty(screen.Resyncs);
        Assert.True(snapshot.Parts > 5, $"the city comes in many parts ({snapshot.Parts})");
        var parts = screen.Parts.Where(p => p.Sequence == snapshot.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, snapshot.Parts), parts.Select(p => p.Part).Order());
        var shown = snapshot.Sensors.Concat(parts.SelectMany(p => p.Sensors)).Select(s => s.Id).ToList();
        Assert.Equal(sensors.Select(s => s.Id).Order(), shown.Order());
    }

    [Fact]
    public async Task Deltas_held_behind_the_parts_follow_them_without_a_gap_and_never_take_a_sensor_back()
    {
        var sensors = await SampleReadings.AllSensors(api.Http);
        var screen = await PollingScreen.ConnectAsync(api.CreateClient(), api.Token(TwinRoles.Ioc));

        var snapshot = await SubscribeUnderFeed(screen, sensors);
        // The feed has stopped: what it changed reaches the screen, which now reads at once.
        var twin = await SampleReadings.AllSensors(api.Http);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Behind(screen, snapshot, twin) is var behind and not 0 && DateTime.UtcNow < deadline)
        {
            if (behind < 0)
            {
                // A frame is on its way; the twin ahead of the screen is read again.
                await screen.PollAsync();
            }
            else
            {
                // The screen is ahead of what the twin answered a moment ago: readings still being applied.
                await Task.Delay(100);
            }
            twin = await SampleReadings.AllSensors(api.Http);
        }

        Assert.Empty(screen.Resyncs);
        // Applied in order as a screen applies them: snapshot and parts, then the deltas above the snapshot's sequence.
        var shown = snapshot.Sensors.ToDictionary(s => s.Id, s => s.ReadingCount);
        var sequence = snapshot.Sequence;
        var partsIn = 0;
        foreach (var frame in screen.Received)
        {
            switch (frame)
            {
                case SnapshotPartFrame part when part.Sequence == snapshot.Sequence:
                    part.Sensors.ForEach(s => shown[s.Id] = s.ReadingCount);
                    partsIn++;
                    break;
                case DeltaFrame delta when delta.Scope == Scope && delta.Sequence > snapshot.Sequence:
                    Assert.True(partsIn == snapshot.Parts, $"a delta above the snapshot came after {partsIn} of {snapshot.Parts} parts");
                    Assert.Equal(sequence + 1, delta.First ?? delta.Sequence);
                    sequence = delta.Sequence;
                    foreach (var sensor in delta.Sensors)
                    {
                        Assert.True(sensor.ReadingCount >= shown.GetValueOrDefault(sensor.Id),
                            $"{sensor.Id}: a delta after the parts carries reading {sensor.ReadingCount}, the screen showed {shown.GetValueOrDefault(sensor.Id)}");
                        shown[sensor.Id] = sensor.ReadingCount;
                    }
                    break;
            }
        }
        Assert.All(twin, t => Assert.Equal(t.ReadingCount, shown.GetValueOrDefault(t.Id, -1)));
    }

    /// <summary>
    /// Subscribes the slow screen to the city while a busy feed runs, reading at its pace until the snapshot's last
    /// part (or a resync) is in; the feed then stops. The feed's values never change, so no alert comes and goes.
    /// </summary>
    private async Task<ScopeSnapshot> SubscribeUnderFeed(PollingScreen screen, List<SensorView> sensors)
    {
        using var feedStop = new CancellationTokenSource();
        var feed = Task.Run(async () =>
        {
            for (var round = 0; !feedStop.IsCancellationRequested; round++)
            {
                var response = await api.Http.PostReadings(SampleReadings.Round(sensors.Where((_, i) => i % 10 == round % 10), 0));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                await Task.Delay(20);
            }
        });
        try
        {
            await Eventually.Until(() => api.Http.Get<SensorView>($"/api/v1/sensors/{sensors[0].Id}"), s => s.ReadingCount > sensors[0].ReadingCount,
                because: "the feed is under way");
            var snapshot = await screen.Subscribe(Scope, Pace);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (screen.Parts.Count(p => p.Sequence == snapshot.Sequence) < snapshot.Parts && !screen.Resyncs.Any() && DateTime.UtcNow < deadline)
            {
                await screen.PollAsync();
                await Task.Delay(Pace);
            }
            return snapshot;
        }
        finally
        {
            await feedStop.CancelAsync();
            await feed;
        }
    }

    /// <summary>
    /// 0 when the screen's newest record of each sensor (snapshot, parts, deltas) holds the twin's reading count; below
    /// 0 when it lacks one the twin holds, above 0 when it shows one the twin's answer did not have yet.
    /// </summary>
    private static int Behind(PollingScreen screen, ScopeSnapshot snapshot, List<SensorView> twin)
    {
        var shown = snapshot.Sensors.ToDictionary(s => s.Id, s => s.ReadingCount);
        foreach (var sensor in screen.Parts.Where(p => p.Sequence == snapshot.Sequence).SelectMany(p => p.Sensors)
                     .Concat(screen.Deltas.Where(d => d.Scope == Scope).SelectMany(d => d.Sensors)))
        {
            shown[sensor.Id] = Math.Max(shown.GetValueOrDefault(sensor.Id), sensor.ReadingCount);
        }
        return twin.Any(t => shown.GetValueOrDefault(t.Id, -1) < t.ReadingCount) ? -1
            : twin.Any(t => shown.GetValueOrDefault(t.Id, -1) > t.ReadingCount) ? 1
            : 0;
    }
}
