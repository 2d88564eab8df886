using IocTwin.Api.Ingest;
using IocTwin.Hosting;
using Microsoft.Extensions.Options;

namespace IocTwin.Tests.Api;

/// <summary>
/// The ingest budget narrows while batches take longer than the target to reach their sensors (calls queued for
/// sensors hold the rollup, and so every screen, behind them) and widens again once they come back fast.
/// </summary>
public sealed class IngestAdmissionTests
{
    private static (IngestAdmission Admission, SetClock Clock) Budget(TimeSpan target)
    {
        var clock = new SetClock();
        var options = Options.Create(new IngestBudgetOptions
        {
            MaxReadingsInFlight = 10_000, MaxReadingsWaiting = 0, MaxWait = TimeSpan.Zero, TargetApplyTime = target,
        });
        return (new IngestAdmission(options, clock), clock);
    }

    /// <summary>How many batches of 1,000 readings get in before one is refused; all are given back afterwards.</summary>
    private static async Task<int> BatchesLetIn(IngestAdmission admission)
    {
        var leases = new List<IDisposable>();
        try
        {
            while (true)
            {
                leases.Add(await admission.EnterAsync(1_000));
            }
        }
        catch (IngestSaturatedException)
        {
            return leases.Count;
        }
        finally
        {
            leases.ForEach(l => l.Dispose());
        }
    }

    private static void Periods(IngestAdmission admission, SetClock clock, TimeSpan applyTime, int periods)
    {
        for (var i = 0; i < periods; i++)
        {
            admission.Applied(applyTime);
            clock.Now += TimeSpan.FromMilliseconds(600);
            admission.Applied(applyTime);
        }
    }

    [Fact]
    public async Task Batches_applied_slower_than_the_target_narrow_the_budget_and_fast_ones_widen_it_again()
    {
        var (admission, clock) = Budget(TimeSpan.FromMilliseconds(500));
        Assert.Equal(10, await BatchesLetIn(admission));

        Periods(admission, clock, TimeSpan.FromSeconds(3), periods: 6);
        var narrowed = await BatchesLetIn(admission);
        Assert.InRange(narrowed, 1, 3);
        Assert.True(admission.ReadingsInFlightAllowed >= 10_000 / IngestAdmission.MaxPermitsPerReading, "never below a quarter");

        Periods(admission, clock, TimeSpan.FromMilliseconds(50), periods: 12);
        Assert.Equal(10, await BatchesLetIn(admission));
    }

    [Fact]
    public async Task A_zero_target_keeps_the_budget_whole_however_slow_batches_are()
    {
        var (admission, clock) = Budget(TimeSpan.Zero);

        Periods(admission, clock, TimeSpan.FromSeconds(5), periods: 6);

        Assert.Equal(10, await BatchesLetIn(admission));
    }
}
