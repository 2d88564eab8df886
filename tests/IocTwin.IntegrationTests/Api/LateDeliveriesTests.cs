using IocTwin.Api.Ingest;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace IocTwin.Tests.Api;

/// <summary>Stored readings whose delivery kept failing during the request are tried again in the background.</summary>
public sealed class LateDeliveriesTests : IAsyncLifetime
{
    private readonly LateDeliveries _late = new(TimeProvider.System, NullLogger<LateDeliveries>.Instance)
    {
        Pauses = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5)],
    };

    public Task InitializeAsync() => _late.StartAsync(CancellationToken.None);

    public Task DisposeAsync() => _late.StopAsync(CancellationToken.None);

    private static DateTimeOffset InAMinute => DateTimeOffset.UtcNow.AddMinutes(1);

    [Fact]
    public async Task A_delivery_that_fails_a_while_is_made_once_it_goes_through()
    {
        var attempts = 0;
        var delivered = 0;
        _late.Add("s1", InAMinute, () =>
        {
            if (Interlocked.Increment(ref attempts) <= 2)
            {
                throw new TimeoutException("The silo did not answer.");
            }
            Interlocked.Increment(ref delivered);
            return Task.CompletedTask;
        });

        await Eventually.Until(() => Task.FromResult(_late.Pending), pending => pending == 0);
        Assert.Equal((3, 1), (attempts, delivered));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_given_up_after_the_last_pause()
    {
        var attempts = 0;
        _late.Add("s2", InAMinute, () =>
        {
            Interlocked.Increment(ref attempts);
            return Task.FromException(new TimeoutException("The silo did not answer."));
        });

        await Eventually.Until(() => Task.FromResult(_late.Pending), pending => pending == 0);
        Assert.Equal(_late.Pauses.Length, attempts);
    }

    [Fact]
    public async Task Nothing_is_tried_once_the_sensor_could_have_forgotten_the_batch()
    {
        var attempts = 0;
        _late.Add("s3", DateTimeOffset.UtcNow.AddSeconds(-1), () =>
        {
            Interlocked.Increment(ref attempts);
            return Task.CompletedTask;
        });

        await Eventually.Until(() => Task.FromResult(_late.Pending), pending => pending == 0);
        Assert.Equal(0, attempts);
    }
}
