using IocTwin.Grains;

namespace IocTwin.Api.Ingest;

/// <summary>
/// Stored readings whose delivery to their sensor grain still failed after the ingest request's own retries (a silo
/// overloaded or cut off for seconds). They are acknowledged already, and history holds them; a sensor that is
/// reactivated catches up from history, but one that stays active would show them only at its next activation.
/// So they are tried again in the background, pausing longer each time, while a sensor still recognises a batch it
/// has applied (<see cref="SensorGrain.BatchMemory"/>): delivering a batch twice within that time applies it once.
/// </summary>
public sealed class LateDeliveries(TimeProvider time, ILogger<LateDeliveries> logger) : BackgroundService
{
    /// <summary>Pauses before each attempt: 95 s in all, within the two minutes a sensor remembers a batch.</summary>
    public static readonly TimeSpan[] DefaultPauses =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)];

    /// <summary>Deliveries waiting at most: past it the sensor catches up at its next activation.</summary>
    public const int MaxPending = 100_000;

    private readonly CancellationTokenSource _stopping = new();
    private int _pending;

    public TimeSpan[] Pauses { get; init; } = DefaultPauses;

    /// <summary>Deliveries waiting for their next attempt.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Tries <paramref name="deliver"/> again, after each pause, until it succeeds, the pauses run out or
    /// <paramref name="giveUpAt"/> passes (an attempt can take a call timeout of its own).
    /// </summary>
    public void Add(string sensorId, DateTimeOffset giveUpAt, Func<Task> deliver)
    {
        if (Interlocked.Increment(ref _pending) > MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            logger.LogWarning("Readings of {Sensor} stored but not applied to the live twin until the sensor is next activated: too many deliveries waiting", sensorId);
            return;
        }
        _ = RetryAsync(sensorId, giveUpAt, deliver);
    }

    private async Task RetryAsync(string sensorId, DateTimeOffset giveUpAt, Func<Task> deliver)
    {
        try
        {
            for (var attempt = 0; attempt < Pauses.Length; attempt++)
            {
                await Task.Delay(Pauses[attempt], time, _stopping.Token);
                if (time.GetUtcNow() >= giveUpAt)
                {
                    logger.LogWarning("Readings of {Sensor} stored but not applied to the live twin until the sensor is next activated", sensorId);
                    return;
                }
                try
                {
                    await deliver();
                    logger.LogInformation("Readings of {Sensor} applied to the live twin after {Attempts} late attempts", sensorId, attempt + 1);
                    return;
                }
                catch (Exception ex) when (attempt < Pauses.Length - 1)
                {
                    logger.LogDebug(ex, "Late delivery to {Sensor} failed; trying again", sensorId);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Readings of {Sensor} stored but not applied to the live twin until the sensor is next activated", sensorId);
                }
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
