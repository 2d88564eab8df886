namespace IocTwin.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until the probe returns a value that satisfies the condition, or fails with the last value seen.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last))
            {
                return last;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Condition not met in time{(because is null ? "" : $" ({because})")}; last value: {last}");
            }
            await Task.Delay(50);
        }
    }
}
