using IocTwin.Simulation.Tntp;

namespace IocTwin.Api.Apis;

/// <summary>
/// Runs assignments of stored networks on the thread pool, off the request thread, at most
/// <see cref="MaxConcurrent"/> at a time in this process; a request beyond that is refused rather than queued.
/// </summary>
public sealed class NetworkAssignments
{
    public const int MaxConcurrent = 1;

    /// <summary>A safety limit: an assignment stops after this many iterations whatever its gap, and says so.</summary>
    public const int MaxIterations = 2_000;

    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);

    /// <summary>The assignment, or null when as many run as may.</summary>
    public async Task<TntpAssignmentResult?> TryRunAsync(TntpDataSet data, AssignmentAlgorithm algorithm, double gap)
    {
        if (!await _slots.WaitAsync(TimeSpan.Zero))
        {
            return null;
        }
        try
        {
            // Bounded by the size limits of stored networks and the iteration limit.
            return await Task.Run(() => TntpAssignment.Run(data, algorithm, gap, MaxIterations));
        }
        finally
        {
            _slots.Release();
        }
    }
}
