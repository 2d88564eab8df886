using IocTwin.Grains;

namespace IocTwin.Tests.Grains;

/// <summary>Areas with members of their own gather longer while their reports load the silo, and as set once they do not.</summary>
public sealed class AreaReportPacingTests
{
    /// <summary>One second in which the areas' reports took this share of every core.</summary>
    private static double Second(AreaReportPacing pacing, SetClock clock, double share)
    {
        pacing.Spent(TimeSpan.FromSeconds(share * Environment.ProcessorCount));
        clock.Now += TimeSpan.FromSeconds(1);
        return pacing.Stretch;
    }

    [Fact]
    public void Reports_taking_more_than_their_share_stretch_the_gathering_up_to_the_bound_and_it_comes_back_when_they_stop()
    {
        var clock = new SetClock();
        var pacing = new AreaReportPacing(clock);

        Assert.Equal(1, Second(pacing, clock, share: AreaReportPacing.CpuShareBeforeStretch / 2));

        var stretched = Enumerable.Range(0, 10).Select(_ => Second(pacing, clock, share: 0.4)).ToList();
        Assert.True(stretched[0] > 1);
        Assert.Equal(AreaReportPacing.MaxStretch, stretched[^1], 1);

        var relaxed = Enumerable.Range(0, 12).Select(_ => Second(pacing, clock, share: 0)).ToList();
        Assert.True(relaxed[0] < stretched[^1]);
        Assert.Equal(1, relaxed[^1], 2);
    }
}
