namespace IocTwin.History;

/// <summary>
/// The catch-up reads of activating sensor grains, served together: while one snapshot is read, the sensors asking
/// meanwhile wait and are then read in the next, all at once. A city whose feed wakes thousands of sensors a second
/// lists the appended rows and opens a transaction once per group, not once per sensor.
/// </summary>
/// <remarks>
/// A sensor is only ever served by a snapshot begun after it asked, never by one already under way: a reading stored
/// by another process just before the sensor asked is always seen. A request whose caller gave up (an activation the
/// runtime cancelled after waiting too long) is dropped, not read: when a cold city wakes more sensors than the reads
/// serve within the activation timeout, reading for activations already cancelled would leave the live ones to time
/// out in turn, and no sensor would ever finish activating.
/// </remarks>
internal sealed class CatchUpReads(HistoryQueries queries)
{
    /// <summary>Sensors one snapshot serves at most, to keep each read transaction short.</summary>
    private const int MostPerRead = 2_000;

    private sealed record Request(string SensorId, long CommittedAfterMs, TaskCompletionSource<List<HistoryReading>> Done,
        CancellationToken CallerGivesUp);

    private readonly Lock _gate = new();
    private List<Request> _waiting = [];
    private bool _reading;

    public Task<List<HistoryReading>> CommittedAfterAsync(string sensorId, long committedAfterMs, CancellationToken cancellationToken)
    {
        var request = new Request(sensorId, committedAfterMs, new(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        bool start;
        lock (_gate)
        {
            _waiting.Add(request);
            start = !_reading;
            _reading = true;
        }
        if (start)
        {
            _ = Task.Run(ReadWhileAskedAsync, CancellationToken.None);
        }
        return request.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadWhileAskedAsync()
    {
        while (TakeGroup() is { } group)
        {
            if (group.Count == 0)
            {
                // Every request taken had been given up.
                continue;
            }
            try
            {
                var after = group.ToDictionary(r => r.SensorId, r => r.CommittedAfterMs, StringComparer.Ordinal);
                var found = await queries.CommittedAfterAsync(after, CancellationToken.None);
                foreach (var request in group)
                {
                    request.Done.TrySetResult(found[request.SensorId]);
                }
            }
            catch (Exception ex)
            {
                foreach (var request in group)
                {
                    request.Done.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>The next group to read (one request per sensor; a second waits for the next group), or null when none wait.</summary>
    private List<Request>? TakeGroup()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _reading = false;
                return null;
            }
            var group = new List<Request>(Math.Min(_waiting.Count, MostPerRead));
            var sensors = new HashSet<string>(StringComparer.Ordinal);
            var left = new List<Request>();
            foreach (var request in _waiting)
            {
                if (request.CallerGivesUp.IsCancellationRequested)
                {
                    request.Done.TrySetCanceled(request.CallerGivesUp);
                }
                else if (group.Count < MostPerRead && sensors.Add(request.SensorId))
                {
                    group.Add(request);
                }
                else
                {
                    left.Add(request);
                }
            }
            _waiting = left;
            return group;
        }
    }
}
