using IocTwin.Api.Streaming;

namespace IocTwin.Tests.Streaming;

public sealed class FrameSlotsTests
{
    private const long Interval = 100;

    [Fact]
    public void Scopes_created_one_after_another_send_at_phases_spread_over_the_interval()
    {
        var slots = new FrameSlots(Interval);
        var phases = Enumerable.Range(0, 10).Select(_ => slots.NextPhase()).ToList();

        // Ten scopes fall into ten different tenths of the interval: no two send their frames in the same instant.
        Assert.Equal(10, phases.Select(p => (int)(p * 10)).Distinct().Count());
        Assert.All(phases, p => Assert.True(p is >= 0 and < 1, $"phase {p} within the interval"));
    }

    [Fact]
    public void A_scope_that_keeps_changing_sends_one_frame_per_interval_at_its_own_phase()
    {
        var slots = new FrameSlots(Interval);
        const double phase = 0.37;
        var sentAt = new List<long>();
        var next = 0L;
        // A change every 7 units: the scope sends whenever a change finds its slot due.
        for (var now = 1_000L; now < 3_000; now += 7)
        {
            if (now >= next)
            {
                sentAt.Add(now);
                next = slots.NextAfter(now, next, phase);
            }
        }

        // The first change goes at once; from then on one frame per interval, each within one change of its slot.
        Assert.Equal(1_000, sentAt[0]);
        Assert.InRange(sentAt.Count, 20, 21);
        Assert.All(sentAt.Skip(1), at => Assert.InRange((at - 37) % Interval, 0, 6));
        Assert.All(sentAt.Zip(sentAt.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap, Interval / 2, Interval * 3 / 2));
    }

    [Theory]
    [InlineData(1_050, 1_050, 1_150)]
    [InlineData(1_110, 1_050, 1_150)]
    [InlineData(1_149, 1_050, 1_150)]
    public void A_frame_sent_on_its_slot_or_late_within_its_interval_keeps_the_scope_s_cadence(long sentAt, long due, long next)
    {
        var slots = new FrameSlots(Interval);

        Assert.Equal(next, slots.NextAfter(sentAt, due, phase: 0.5));
    }

    [Theory]
    [InlineData(1_000, 0, 1_050)]
    [InlineData(1_001, 0, 1_150)]
    [InlineData(1_150, 1_050, 1_250)]
    [InlineData(949, -1_000, 1_050)]
    [InlineData(-120, -10_000, -50)]
    public void After_a_quiet_spell_the_frame_after_the_first_waits_for_a_slot_at_least_half_an_interval_later(long sentAt, long due, long next)
    {
        var slots = new FrameSlots(Interval);

        Assert.Equal(next, slots.NextAfter(sentAt, due, phase: 0.5));
    }
}
