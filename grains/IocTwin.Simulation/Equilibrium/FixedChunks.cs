namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Work over origins split into a fixed number of chunks, each with its own buffers, run in parallel or on one thread:
/// the split does not depend on the cores, so sums combined in chunk order are the same bit for bit on any number.
/// </summary>
internal static class FixedChunks
{
    /// <summary>The origins <c>[First, Last)</c> of chunk <paramref name="index"/> of <paramref name="chunks"/> over <paramref name="origins"/>.</summary>
    public static (int First, int Last) Range(int index, int chunks, int origins) =>
        ((int)((long)index * origins / chunks), (int)((long)(index + 1) * origins / chunks));

    /// <summary>Runs <paramref name="body"/> for every chunk; an error is thrown as it is, not wrapped, as on one thread.</summary>
    public static void Run(int chunks, ParallelOptions parallel, Action<int> body)
    {
        if (parallel.MaxDegreeOfParallelism == 1 || chunks == 1)
        {
            for (var i = 0; i < chunks; i++)
            {
                body(i);
            }
            return;
        }
        try
        {
            Parallel.For(0, chunks, parallel, body);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // Demand with no path: the same error as on one thread rather than a wrapper around it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
    }
}
