namespace IocTwin.Hosting;

/// <summary>
/// Whether the sample city this silo loads on first start is in the twin: loaded, found there already, or not asked
/// for. Readiness waits on it, so that nobody trusting readiness sees a half-loaded twin.
/// </summary>
public sealed class SampleCityLoad(bool seeding)
{
    private readonly TaskCompletionSource _loaded = NewLoad(seeding);

    public bool IsLoaded => _loaded.Task.IsCompleted;

    /// <summary>Completes once the sample city is in the twin (at once when none is loaded).</summary>
    public Task WhenLoaded => _loaded.Task;

    internal void Loaded() => _loaded.TrySetResult();

    private static TaskCompletionSource NewLoad(bool seeding)
    {
        var load = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!seeding)
        {
            load.SetResult();
        }
        return load;
    }
}
