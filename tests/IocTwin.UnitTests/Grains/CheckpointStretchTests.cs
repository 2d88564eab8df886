using IocTwin.Grains;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IocTwin.Tests.Grains;

/// <summary>
/// Sensors' and segments' checkpoints come further apart while the silo's process keeps its cores busy, up to the bound
/// set, and at the delay set again once it has cores to spare; areas' checkpoints never move.
/// </summary>
public sealed class CheckpointStretchTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(5);

    private sealed class Silo(double maxStretch)
    {
        public SetClock Clock { get; } = new();
        public TimeSpan Cpu { get; set; }
        public WriteBehindSchedule Schedule => _schedule ??= new WriteBehindSchedule(
            Options.Create(new TwinOptions { PersistDelay = Delay, CheckpointMaxStretch = maxStretch }), Clock,
            NullLogger<WriteBehindSchedule>.Instance, grains: null!, () => Cpu);
        private WriteBehindSchedule? _schedule;

        /// <summary>One second in which the process kept this share of every core busy; then when a sensor's next checkpoint comes.</summary>
        public TimeSpan Second(double busy)
        {
            _ = Schedule;
            Cpu += TimeSpan.FromSeconds(busy * Environment.ProcessorCount);
            Clock.Now += TimeSpan.FromSeconds(1);
            return Schedule.NextDelay(first: false, mayStretch: true);
        }
    }

    [Fact]
    public void A_busy_silo_puts_sensors_checkpoints_off_up_to_the_bound_and_brings_them_back_with_cores_to_spare()
    {
        var silo = new Silo(maxStretch: 4);

        Assert.Equal(Delay, silo.Second(busy: 0.5));

        var busy = Enumerable.Range(0, 12).Select(_ => silo.Second(busy: 0.95)).ToList();
        // Half way to the bound in the first busy second, not all the way: one busy second does not swing it.
        Assert.Equal(2.5 * Delay.TotalSeconds, busy[0].TotalSeconds, 0);
        Assert.Equal(4 * Delay.TotalSeconds, busy[^1].TotalSeconds, 0);
        // An area's checkpoint is what a restart shows first: it keeps to the delay however busy the silo is.
        Assert.Equal(Delay, silo.Schedule.NextDelay(first: false, mayStretch: false));

        var spare = Enumerable.Range(0, 14).Select(_ => silo.Second(busy: 0.5)).ToList();
        Assert.Equal(Delay.TotalSeconds, spare[^1].TotalSeconds, 0);
    }

    [Fact]
    public void A_silo_that_went_quiet_for_minutes_after_a_busy_spell_checkpoints_at_the_delay_set_when_next_asked()
    {
        var silo = new Silo(maxStretch: 4);
        for (var i = 0; i < 12; i++)
        {
            silo.Second(busy: 1);
        }

        // Nothing changed for ten minutes, so nobody asked; the next change is asked for at the delay set.
        silo.Clock.Now += TimeSpan.FromMinutes(10);

        Assert.Equal(Delay.TotalSeconds, silo.Second(busy: 0).TotalSeconds, 0);
    }

    [Fact]
    public void A_bound_of_one_keeps_every_checkpoint_to_the_delay_set()
    {
        var silo = new Silo(maxStretch: 1);

        Assert.All(Enumerable.Range(0, 10).Select(_ => silo.Second(busy: 1)), delay => Assert.Equal(Delay, delay));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1_000)]
    [InlineData(double.NaN)]
    public void A_bound_below_one_not_a_number_or_past_a_hundred_stops_the_silo_at_its_start(double maxStretch)
    {
        var error = Assert.Throws<OptionsValidationException>(() => new Silo(maxStretch).Schedule);

        Assert.Contains("Twin:CheckpointMaxStretch", error.Message);
    }
}
