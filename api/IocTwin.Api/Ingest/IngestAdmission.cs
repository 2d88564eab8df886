using System.Threading.RateLimiting;
using IocTwin.Hosting;
using IocTwin.Telemetry;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Ingest;

/// <summary>
/// The process's ingest budget (<see cref="IngestBudgetOptions"/>): a batch holds a share of it from before it is
/// stored until its sensors have applied it. Acknowledgements come after the sensors applied their readings, so the
/// budget bounds the readings queued in sensor grains; when the twin cannot keep up, batches wait here, oldest first,
/// and past the wait they are refused with nothing stored, instead of queuing without end behind acknowledgements.
/// </summary>
public sealed class IngestAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _budget;
    private readonly IngestBudgetOptions _options;

    public IngestAdmission(IOptions<IngestBudgetOptions> options)
    {
        _options = options.Value;
        if (_options.MaxReadingsInFlight < 1 || _options.MaxReadingsWaiting < 0 || _options.MaxWait < TimeSpan.Zero)
        {
            throw new OptionsValidationException(IngestBudgetOptions.SectionName, typeof(IngestBudgetOptions),
                [$"{IngestBudgetOptions.SectionName}: MaxReadingsInFlight must be at least 1, MaxReadingsWaiting and MaxWait not negative."]);
        }
        _budget = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxReadingsInFlight,
            QueueLimit = _options.MaxReadingsWaiting,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Readings of the budget free now.</summary>
    public long Available => _budget.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>
    /// Takes a share of the budget for <paramref name="readings"/> readings, waiting up to the configured wait; throws
    /// <see cref="IngestSaturatedException"/> when none came free in time. Dispose the lease once the readings are applied.
    /// </summary>
    public async ValueTask<RateLimitLease> EnterAsync(int readings)
    {
        var permits = Math.Clamp(readings, 1, _options.MaxReadingsInFlight);
        var lease = _budget.AttemptAcquire(permits);
        if (lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        if (_options.MaxWait > TimeSpan.Zero)
        {
            using var wait = new CancellationTokenSource(_options.MaxWait);
            try
            {
                lease = await _budget.AcquireAsync(permits, wait.Token);
                if (lease.IsAcquired)
                {
                    return lease;
                }
                lease.Dispose();
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested)
            {
            }
        }
        TwinTelemetry.ReadingsRefused.Add(readings);
        throw new IngestSaturatedException(_options.RetryAfter);
    }

    public void Dispose() => _budget.Dispose();
}
