using IocTwin.Api.Streaming;
using IocTwin.Grains;

namespace IocTwin.Tests.Streaming;

public sealed class ObserverHearingTests
{
    /// <summary>A process registered, heard, and renewed 5 s later with the registry still holding its observer.</summary>
    private static (SetClock Clock, ObserverHearing Hearing, DateTimeOffset LastHeard) HeardAndRenewed()
    {
        var clock = new SetClock();
        var hearing = new ObserverHearing(clock);
        hearing.Registered();
        clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(hearing.Hears);
        hearing.Confirmed();
        return (clock, hearing, clock.Now);
    }

    [Fact]
    public void A_process_hears_only_once_every_publisher_has_read_the_list_again_after_its_registration()
    {
        var clock = new SetClock();
        var hearing = new ObserverHearing(clock);
        Assert.False(hearing.Hears);

        hearing.Registered();
        var registeredAt = clock.Now;
        clock.Now += TwinObservers.PublisherRefresh;
        Assert.False(hearing.Hears);
        Assert.NotNull(hearing.Now.DeafSince);

        clock.Now = registeredAt + TwinObservers.PublisherRefresh * 2;
        Assert.True(hearing.Hears);
        Assert.Null(hearing.Now.DeafSince);
    }

    [Fact]
    public void Registering_again_after_the_registry_lost_the_observer_is_a_gap_from_the_last_renewal_that_found_it()
    {
        var (clock, hearing, lastHeard) = HeardAndRenewed();
        var first = hearing.Now.LastGap;

        clock.Now += TimeSpan.FromSeconds(5);
        hearing.Registered();

        Assert.False(hearing.Hears);
        Assert.Equal(lastHeard, hearing.Now.DeafSince);
        Assert.Equal(new ObserverHearing.Gap(first.Number + 1, lastHeard), hearing.Now.LastGap);
        clock.Now += TwinObservers.PublisherRefresh * 2;
        Assert.True(hearing.Hears);
        Assert.Equal(first.Number + 1, hearing.Now.LastGap.Number);
    }

    [Fact]
    public void A_registry_that_cannot_be_asked_makes_the_process_deaf_from_its_last_renewal_until_it_registers_again()
    {
        var (clock, hearing, lastHeard) = HeardAndRenewed();
        var before = hearing.Now.LastGap.Number;

        clock.Now += TimeSpan.FromSeconds(5);
        hearing.Lost();
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.False(hearing.Hears);
        Assert.Equal(lastHeard, hearing.Now.DeafSince);

        // Registering again closes the same gap: it began at the last renewal that found the observer held.
        hearing.Registered();
        clock.Now += TwinObservers.PublisherRefresh * 2;
        Assert.True(hearing.Hears);
        Assert.Equal(new ObserverHearing.Gap(before + 1, lastHeard), hearing.Now.LastGap);
    }

    [Fact]
    public async Task Waiting_to_hear_ends_once_the_publishers_have_read_the_registration()
    {
        var hearing = new ObserverHearing(TimeProvider.System);
        var waiting = hearing.WhenHearsAsync(CancellationToken.None);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        hearing.Registered();
        await waiting.WaitAsync(TwinObservers.PublisherRefresh * 5);
        Assert.True(hearing.Hears);
    }
}
