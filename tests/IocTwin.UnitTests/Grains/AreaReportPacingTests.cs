using IocTwin.Grains;

namespace IocTwin.Tests.Grains;

/// <summary>
/// Areas with members of their own gather longer while their reports load a busy silo, and as set once they do not, or
/// while the silo has cores to spare.
/// </summary>
public sealed class AreaReportPacingTests
{
    private sealed class Silo
    {
        public SetClock Clock { get; } = new();
        public TimeSpan Cpu { get; set; }
        public AreaReportPacing Pacing { get; }

        public Silo() => Pacing = new AreaReportPacing(Clock, () => Cpu);

        /// <summary>One second in which the areas' reports took this share of every core, and the process that share of them all.</summary>
        public double Second(double reports, double busy)
        {
            Pacing.Spent(TimeSpan.FromSeconds(reports * Environment.ProcessorCount));
            Cpu += TimeSpan.FromSeconds(busy * Environment.ProcessorCount);
            Clock.Now += TimeSpan.FromSeconds(1);
            return Pacing.Stretch;
        }
    }

    [Fact]
    public void Reports_taking_more_than_their_share_of_a_busy_silo_stretch_the_gathering_up_to_the_bound_and_it_comes_back_when_they_stop()
    {
        var silo = new Silo();

        Assert.Equal(1, silo.Second(reports: AreaReportPacing.CpuShareBeforeStretch / 2, busy: 1));

        var stretched = Enumerable.Range(0, 10).Select(_ => silo.Second(reports: 0.4, busy: 1)).ToList();
        Assert.True(stretched[0] > 1);
        Assert.Equal(AreaReportPacing.MaxStretch, stretched[^1], 1);

        var relaxed = Enumerable.Range(0, 12).Select(_ => silo.Second(reports: 0, busy: 1)).ToList();
        Assert.True(relaxed[0] < stretched[^1]);
        Assert.Equal(1, relaxed[^1], 2);
    }

    [Fact]
    public void With_cores_to_spare_the_gathering_stays_as_set_however_much_the_reports_take()
    {
        var silo = new Silo();
        var spare = AreaReportPacing.ProcessBusyBeforeStretch - 0.2;

        var seconds = Enumerable.Range(0, 10).Select(_ => silo.Second(reports: 0.4, busy: spare)).ToList();
        Assert.All(seconds, stretch => Assert.Equal(1, stretch));

        // The silo fills up: the same reports stretch the gathering; it has cores to spare again: back as set.
        var busy = Enumerable.Range(0, 10).Select(_ => silo.Second(reports: 0.4, busy: 0.95)).ToList();
        Assert.Equal(AreaReportPacing.MaxStretch, busy[^1], 1);
        var spared = Enumerable.Range(0, 12).Select(_ => silo.Second(reports: 0.4, busy: spare)).ToList();
        Assert.Equal(1, spared[^1], 2);
    }
}
