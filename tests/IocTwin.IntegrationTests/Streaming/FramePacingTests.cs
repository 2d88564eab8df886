using System.Net;
using IocTwin.Api.Access;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>The twin with screens paced at one frame per 10 s, the slowest pace the setting allows.</summary>
public sealed class SlowPacedTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Streaming:MaxFramesPerSecond"] = "0.1",
    };
}

[CollectionDefinition(Name)]
public sealed class SlowPacedCollection : ICollectionFixture<SlowPacedTwinApiFactory>
{
    public const string Name = "twin api with screens paced at one frame per 10 s";
}

[Collection(SlowPacedCollection.Name)]
public sealed class FramePacingTests(SlowPacedTwinApiFactory api)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_quiet_scope_sends_a_change_at_once_and_merges_the_changes_that_follow_into_its_next_frame()
    {
        const string scope = "district:hai-chau";
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.Ioc));
        var snapshot = await screen.Subscribe(scope);
        var (_, counter) = await api.Http.SoleCounterSegment("hai-chau");
        var before = snapshot.Sensors.Single(s => s.Id == counter.Id).ReadingCount;

        // The scope has sent nothing yet: the first change goes out as it arrives, not when a 10 s interval is up.
        Assert.Equal(HttpStatusCode.Accepted, (await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 40.0, flow = 600 }))).StatusCode);
        await screen.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount == before + 1),
            "the first change of a quiet scope reaches the screen within its interval", Interval * 0.8);

        // Two more within the interval that follows: held, then sent together as the latest value.
        for (var i = 2; i <= 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 40.0 + i, flow = 600 }))).StatusCode);
        }
        var merged = await screen.WaitForDelta(scope, d => d.Sensors.Any(s => s.Id == counter.Id && s.ReadingCount == before + 3),
            "the changes that came during the interval reach the screen when it is up", Interval * 3);

        Assert.Equal(43.0, merged.Sensors.Single(s => s.Id == counter.Id).Values["speed"]);
        Assert.DoesNotContain(screen.DeltasOf(scope).SelectMany(d => d.Sensors), s => s.Id == counter.Id && s.ReadingCount == before + 2);
        var deltas = screen.DeltasOf(scope);
        // Consecutive numbers above the snapshot's (a frame merging those held behind it stands for several).
        Assert.All(deltas, d => Assert.True(d.Sequence > snapshot.Sequence, "no frame from before the snapshot"));
        var covered = LiveScreen.SequencesAbove(snapshot.Sequence, deltas);
        Assert.Equal(Enumerable.Range(1, covered.Count).Select(i => snapshot.Sequence + i), covered);
    }
}
