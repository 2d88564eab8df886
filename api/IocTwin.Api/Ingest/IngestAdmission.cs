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
/// The budget follows how fast batches are applied (<see cref="IngestBudgetOptions.TargetApplyTime"/>): a reading
/// costs more than one permit of the limiter while batches take longer, since a <see cref="ConcurrencyLimiter"/>
/// cannot change its limit while leases are out.
/// </summary>
public sealed class IngestAdmission : IDisposable
{
    /// <summary>
    /// The most a reading costs: the budget never narrows below a quarter of its size, two of the benchmark's batches, so
    /// that one batch is stored while another reaches its sensors.
    /// </summary>
    public const double MaxPermitsPerReading = 4;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrencyLimiter _budget;
    private readonly IngestBudgetOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _permitsPerReading = 1;
    private TimeSpan _applyTimes;
    private int _applied;
    private long _periodStart;

    public IngestAdmission(IOptions<IngestBudgetOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        if (_options.MaxReadingsInFlight < 1 || _options.MaxReadingsWaiting < 0 || _options.MaxWait < TimeSpan.Zero ||
            _options.TargetApplyTime < TimeSpan.Zero)
        {
            throw new OptionsValidationException(IngestBudgetOptions.SectionName, typeof(IngestBudgetOptions),
                [$"{IngestBudgetOptions.SectionName}: MaxReadingsInFlight must be at least 1, MaxReadingsWaiting, MaxWait and TargetApplyTime not negative."]);
        }
        _budget = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxReadingsInFlight,
            QueueLimit = _options.MaxReadingsWaiting,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _periodStart = time.GetTimestamp();
    }

    /// <summary>Readings of the budget free now.</summary>
    public long Available => (long)((_budget.GetStatistics()?.CurrentAvailablePermits ?? 0) / PermitsPerReading);

    /// <summary>The readings the budget lets in at once now.</summary>
    public int ReadingsInFlightAllowed => (int)(_options.MaxReadingsInFlight / PermitsPerReading);

    /// <summary>
    /// Takes a share of the budget for <paramref name="readings"/> readings, waiting up to the configured wait; throws
    /// <see cref="IngestSaturatedException"/> when none came free in time. Dispose the lease once the readings are applied.
    /// </summary>
    public async ValueTask<RateLimitLease> EnterAsync(int readings)
    {
        var permits = (int)Math.Clamp(Math.Ceiling(readings * PermitsPerReading), 1, _options.MaxReadingsInFlight);
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

    /// <summary>A batch reached its sensors <paramref name="took"/> after it was stored.</summary>
    public void Applied(TimeSpan took)
    {
        lock (_gate)
        {
            _applyTimes += took;
            _applied++;
        }
        _ = PermitsPerReading;
    }

    private double PermitsPerReading
    {
        get
        {
            if (_options.TargetApplyTime == TimeSpan.Zero)
            {
                return 1;
            }
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                if (_time.GetElapsedTime(_periodStart, now) >= Period)
                {
                    // The period's mean time to apply a batch against the target: readings in flight are applied in about
                    // that time, so the budget scales by target / mean. Half way each period, to settle rather than swing;
                    // a period with nothing applied changes nothing.
                    if (_applied > 0)
                    {
                        var mean = _applyTimes / _applied;
                        var wanted = Math.Clamp(_permitsPerReading * (mean / _options.TargetApplyTime), 1, MaxPermitsPerReading);
                        var next = (_permitsPerReading + wanted) / 2;
                        // Close enough is there: halving the distance alone would never give the whole budget back.
                        _permitsPerReading = Math.Abs(next - wanted) < 0.05 ? wanted : next;
                    }
                    _applyTimes = TimeSpan.Zero;
                    _applied = 0;
                    _periodStart = now;
                }
                return _permitsPerReading;
            }
        }
    }

    public void Dispose() => _budget.Dispose();
}
