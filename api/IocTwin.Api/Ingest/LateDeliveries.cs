using IocTwin.Grains;

namespace IocTwin.Api.Ingest;

/// <summary>
/// Deliveries of stored readings to their sensor grain that failed (a silo going down, overloaded or cut off). The
/// readings are in history, and a sensor that is reactivated catches up from it, but one that stays active would
/// show them only at its next activation. So a failed delivery is tried again: first within the ingest request,
/// which answers only then; if it still fails, in the background, pausing longer each time, while a sensor still
/// recognises a batch it has applied (<see cref="SensorGrain.BatchMemory"/>): a batch delivered twice within that
/// time is applied once.
/// </summary>
public sealed class LateDeliveries(TimeProvider time, ILogger<LateDeliveries> logger) : BackgroundService
{
    /// <summary>Pauses before each attempt within the request: about 4 s in all.</summary>
    public static readonly TimeSpan[] DefaultRequestPauses = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>Pauses before each attempt in the background: 95 s in all, within the two minutes a sensor remembers a batch.</summary>
    public static readonly TimeSpan[] DefaultPauses =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)];

    /// <summary>Deliveries waiting at most: past it the sensor catches up at its next activation.</summary>
    public const int MaxPending = 100_000;

    private readonly CancellationTokenSource _stopping = new();
    private int _pending;

    public TimeSpan[] RequestPauses { get; init; } = DefaultRequestPauses;

    public TimeSpan[] Pauses { get; init; } = DefaultPauses;

    /// <summary>Deliveries waiting for their next attempt in the background.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Tries a failed delivery again after each of the request's pauses; if it still fails, leaves it to the
    /// background (<see cref="Add"/>) and returns.
    /// </summary>
    public async Task RetryAsync(string sensorId, DateTimeOffset giveUpAt, Func<Task> deliver)
    {
        if (await AttemptAfterPausesAsync(sensorId, RequestPauses, giveUpAt, deliver, CancellationToken.None) is { } failure)
        {
            logger.LogWarning(failure, "Readings of {Sensor} stored but not yet applied to the live twin; trying again in the background", sensorId);
            Add(sensorId, giveUpAt, deliver);
        }
    }

    /// <summary>
    /// Tries <paramref name="deliver"/> again in the background, after each pause, until it succeeds, the pauses run
    /// out or <paramref name="giveUpAt"/> passes (an attempt can take a call timeout of its own).
    /// </summary>
    public void Add(string sensorId, DateTimeOffset giveUpAt, Func<Task> deliver)
    {
        if (Interlocked.Increment(ref _pending) > MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            logger.LogWarning("Readings of {Sensor} stored but not applied to the live twin until the sensor is next activated: too many deliveries waiting", sensorId);
            return;
        }
        _ = RetryInBackgroundAsync(sensorId, giveUpAt, deliver);
    }

    private async Task RetryInBackgroundAsync(string sensorId, DateTimeOffset giveUpAt, Func<Task> deliver)
    {
        try
        {
            if (await AttemptAfterPausesAsync(sensorId, Pauses, giveUpAt, deliver, _stopping.Token) is { } failure)
            {
                logger.LogWarning(failure, "Readings of {Sensor} stored but not applied to the live twin until the sensor is next activated", sensorId);
            }
            else
            {
                logger.LogInformation("Readings of {Sensor} applied to the live twin by a late attempt", sensorId);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: history holds the readings.
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>An attempt after each pause, none past <paramref name="giveUpAt"/>: null once one succeeds, else the last failure.</summary>
    private async Task<Exception?> AttemptAfterPausesAsync(
        string sensorId, TimeSpan[] pauses, DateTimeOffset giveUpAt, Func<Task> deliver, CancellationToken cancellationToken)
    {
        Exception failure = new TimeoutException("No attempt was made before the sensor could forget the batch.");
        foreach (var pause in pauses)
        {
            await Task.Delay(pause, time, cancellationToken);
            if (time.GetUtcNow() >= giveUpAt)
            {
                break;
            }
            try
            {
                await deliver();
                return null;
            }
            catch (Exception ex)
            {
                failure = ex;
                logger.LogDebug(ex, "Delivery of stored readings to {Sensor} failed; retrying", sensorId);
            }
        }
        return failure;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }
}
