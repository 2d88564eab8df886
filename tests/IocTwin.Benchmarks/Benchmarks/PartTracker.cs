using System.Text.Json;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>How a snapshot sent in parts ended for the client waiting for it.</summary>
public enum SnapshotOutcome
{
    /// <summary>Every part the answer announced came.</summary>
    Whole,
    /// <summary>A resync of the scope came first: the parts still awaited will not come.</summary>
    Resynced,
    /// <summary>Neither came within the time allowed.</summary>
    TimedOut,
}

/// <summary>
/// The "snapshot-part" and "resync" frames a connection received, by scope; parts may come ahead of the answer. Every
/// call waits for its parts (or the resync that ends them, or a timeout), so none is left over for the next.
/// </summary>
public sealed class PartTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Scope, long Sequence), (int Parts, int Sensors)> _received = [];
    private readonly HashSet<string> _resynced = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Resyncs received in all.</summary>
    public int Resyncs { get; private set; }

    public void Saw(JsonElement frame)
    {
        var key = (frame.GetProperty("scope").GetString()!, frame.GetProperty("sequence").GetInt64());
        lock (_gate)
        {
            var (parts, sensors) = _received.GetValueOrDefault(key);
            _received[key] = (parts + 1, sensors + frame.GetProperty("sensors").GetArrayLength());
            Arrived();
        }
    }

    public void Resynced(JsonElement frame)
    {
        lock (_gate)
        {
            _resynced.Add(frame.GetProperty("scope").GetString()!);
            Resyncs++;
            Arrived();
        }
    }

    /// <summary>A Subscribe of the scope is about to be sent: an earlier resync of it says nothing about this one.</summary>
    public void Expect(string scope)
    {
        lock (_gate)
        {
            _resynced.Remove(scope);
        }
    }

    /// <summary>Waits for every part the answer announced, a resync of the scope, or the timeout; the sensors the parts held.</summary>
    public async Task<(int Sensors, SnapshotOutcome Outcome)> AllOf(string scope, JsonElement answer, TimeSpan timeout)
    {
        var key = (scope, answer.GetProperty("sequence").GetInt64());
        var announced = answer.TryGetProperty("parts", out var parts) ? parts.GetInt32() : 0;
        using var giveUp = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                var (received, sensors) = _received.GetValueOrDefault(key);
                var outcome = received >= announced ? SnapshotOutcome.Whole
                    : _resynced.Contains(scope) ? SnapshotOutcome.Resynced
                    : giveUp.IsCancellationRequested ? SnapshotOutcome.TimedOut
                    : (SnapshotOutcome?)null;
                if (outcome is { } ended)
                {
                    _received.Remove(key);
                    return (sensors, ended);
                }
                arrived = _arrived.Task;
            }
            await arrived.WaitAsync(giveUp.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Arrived()
    {
        _arrived.TrySetResult();
        _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
