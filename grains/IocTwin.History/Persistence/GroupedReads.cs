namespace IocTwin.Persistence;

/// <summary>
/// Reads asked for one at a time, served a group per statement: while the statements in flight run, requests arriving
/// wait and are then read together, up to <c>mostPerGroup</c> in one statement, with never more than
/// <c>mostInFlight</c> statements at once. Thousands of grains activating together thus cost a few statements and a
/// few pooled connections, not one of each per grain.
/// </summary>
/// <remarks>
/// A request is only ever served by a statement begun after it was asked for, never by one already under way, so a
/// row written before the request is always seen. <c>readGroup</c> answers one result per request, in their order.
/// </remarks>
public sealed class GroupedReads<TRequest, TResult>(
    int mostPerGroup, int mostInFlight, Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> readGroup)
{
    private readonly Lock _gate = new();
    private readonly Queue<(TRequest Request, TaskCompletionSource<TResult> Done)> _waiting = new();
    private int _inFlight;

    public Task<TResult> ReadAsync(TRequest request)
    {
        // The asker resumes on its own scheduler, never inline on a reading loop.
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Enqueue((request, done));
            start = _inFlight < mostInFlight;
            if (start)
            {
                _inFlight++;
            }
        }
        if (start)
        {
            _ = Task.Run(ReadWhileAskedAsync, CancellationToken.None);
        }
        return done.Task;
    }

    private async Task ReadWhileAskedAsync()
    {
        while (TakeGroup() is { } group)
        {
            try
            {
                var results = await readGroup([.. group.Select(g => g.Request)]);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                group.ForEach(g => g.Done.TrySetException(ex));
            }
        }
    }

    /// <summary>The next group to read, or null (and one loop fewer in flight) when none wait.</summary>
    private List<(TRequest Request, TaskCompletionSource<TResult> Done)>? TakeGroup()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _inFlight--;
                return null;
            }
            var group = new List<(TRequest, TaskCompletionSource<TResult>)>(Math.Min(_waiting.Count, mostPerGroup));
            while (group.Count < mostPerGroup && _waiting.TryDequeue(out var next))
            {
                group.Add(next);
            }
            return group;
        }
    }
}
