using System.Globalization;
using System.Threading.Channels;
using Orleans.Serialization;
using Orleans.Storage;

namespace IocTwin.Persistence;

/// <summary>
/// Grain storage that hands every write to one writer loop, in arrival order. SQLite takes a single writer, and a
/// second connection that finds the database locked is retried by Microsoft.Data.Sqlite with the calling thread
/// asleep (150 ms a try, up to 30 s, then "database is locked"); under write-behind from thousands of grains those
/// sleeping threads starve the silo's scheduler. Here writers queue without holding a thread and never meet a lock,
/// and the loop runs the writes back to back, the states waiting together a group per transaction
/// (<see cref="SqliteStateRows"/>). Reads go straight through: in WAL mode they run beside the writer.
/// A write takes a copy of the state when it is asked for, so a grain whose write-behind timer interleaves keeps
/// taking calls (and changing its state) while its write waits its turn; writes of one grain run in order, each
/// with the ETag the one before it left.
/// </summary>
internal sealed class SingleWriterGrainStorage : IGrainStorage
{
    /// <summary>Writes one turn of the loop takes, one transaction for the states among them: a few milliseconds of the file.</summary>
    private const int MaxWritesPerTurn = 256;

    private readonly IGrainStorage _inner;
    private readonly SemaphoreSlim _fileGate;
    private readonly Channel<Queued> _writes = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DeepCopier _copier;
    private readonly AdoGrainRowKeys _keys;
    private readonly IGrainStorageSerializer _serializer;
    private readonly SqliteStateRows _rows;
    private readonly Dictionary<(string StateName, GrainId GrainId), QueuedWrite> _queued = [];

    public SingleWriterGrainStorage(IGrainStorage inner, string connectionString, DeepCopier copier, AdoGrainRowKeys keys,
        IGrainStorageSerializer serializer)
    {
        _inner = inner;
        _copier = copier;
        _keys = keys;
        _serializer = serializer;
        _rows = new SqliteStateRows(connectionString, keys.ServiceId);
        _fileGate = SqliteWriteGate.For(connectionString);
        _ = Task.Run(WriteLoopAsync);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var copy = _copier.Copy(grainState.State);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = (stateName, grainId);
        lock (_queued)
        {
            // A grain's write still waiting for its turn takes the newer state: the queue never holds more than
            // one write per grain, however far behind the database is.
            if (_queued.TryGetValue(key, out var waiting))
            {
                waiting.State = copy;
                waiting.GrainState = grainState;
                waiting.Waiters.Add(done);
                return done.Task;
            }
            _queued[key] = new QueuedWrite(copy, grainState, done);
        }
        _writes.Writer.TryWrite(new Queued(key, () => Take<T>(key)));
        return done.Task;
    }

    /// <summary>The grain's queued write, out of the queue: as a row for a group, or as the provider's own write.</summary>
    private Taken Take<T>((string StateName, GrainId GrainId) key)
    {
        QueuedWrite write;
        lock (_queued)
        {
            write = _queued[key];
            _queued.Remove(key);
        }
        var target = (IGrainState<T>)write.GrainState;
        // Earlier writes of this grain ran before this one and left their ETag on the grain's state.
        var stored = new GrainState<T>((T)write.State!) { ETag = target.ETag, RecordExists = target.RecordExists };
        void Written()
        {
            target.ETag = stored.ETag;
            target.RecordExists = stored.RecordExists;
            write.Waiters.ForEach(w => w.SetResult());
        }
        void Failed(Exception ex) => write.Waiters.ForEach(w => w.SetException(ex));
        if (AdoGrainRowKeys.KeysAsProvider(key.StateName) && Version(stored.ETag) is var (known, version) && known)
        {
            StateRowWrite row;
            try
            {
                row = new StateRowWrite(_keys.Of(key.StateName, key.GrainId), AdoGrainRowKeys.PayloadOf(_serializer.Serialize(stored.State)), version);
            }
            catch (Exception ex)
            {
                // A state that cannot be written fails its own write, not the loop every other grain's writes wait on.
                Failed(ex);
                return Taken.Nothing;
            }
            return new Taken(row, null, newVersion =>
            {
                if (newVersion is not { } v)
                {
                    Failed(new InconsistentStateException(
                        $"Version conflict writing {key.StateName} of {key.GrainId}: the stored row is not at the ETag '{stored.ETag}'."));
                    return;
                }
                stored.ETag = v.ToString(CultureInfo.InvariantCulture);
                stored.RecordExists = true;
                Written();
            }, Failed);
        }
        return new Taken(null, async () =>
        {
            try
            {
                await _inner.WriteStateAsync(key.StateName, key.GrainId, stored);
                Written();
            }
            catch (Exception ex)
            {
                Failed(ex);
            }
        }, null, null);
    }

    /// <summary>The row version an ETag names (none: a new row); not known when the ETag is not one the provider makes.</summary>
    private static (bool Known, int? Version) Version(string? etag) =>
        etag is null ? (true, null)
        : int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? (true, version)
        : (false, null);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // The caller resumes on its own scheduler, never inline on the writer loop.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _writes.Writer.TryWrite(new Queued((stateName, grainId), () => new Taken(null, async () =>
        {
            try
            {
                await _inner.ClearStateAsync(stateName, grainId, grainState);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }, null, null)));
        return done.Task;
    }

    private async Task WriteLoopAsync()
    {
        List<Taken> group = [];
        HashSet<(string, GrainId)> grouped = [];
        while (await _writes.Reader.WaitToReadAsync())
        {
            // The file is shared with the process's other writers of it (imports, the audit log; history too when it
            // is set to the same file): hold it for a run of queued writes, not for each.
            await _fileGate.WaitAsync();
            try
            {
                for (var run = 0; run < MaxWritesPerTurn && _writes.Reader.TryRead(out var queued); run++)
                {
                    // A grain's writes stay in order: a second write of a grain already in the group waits for the group.
                    if (grouped.Contains(queued.Key))
                    {
                        await WriteGroupAsync(group, grouped);
                    }
                    // Taking a write answers its own failures (Take); the provider's writes answer theirs.
                    var taken = queued.Take();
                    if (taken.Row is not null)
                    {
                        group.Add(taken);
                        grouped.Add(queued.Key);
                        continue;
                    }
                    await WriteGroupAsync(group, grouped);
                    await taken.Write!();
                }
                await WriteGroupAsync(group, grouped);
            }
            finally
            {
                _fileGate.Release();
            }
        }
    }

    private async Task WriteGroupAsync(List<Taken> group, HashSet<(string, GrainId)> grouped)
    {
        if (group.Count == 0)
        {
            return;
        }
        var rows = group.Select(t => t.Row!.Value).ToArray();
        try
        {
            // Off the loop: Microsoft.Data.Sqlite runs synchronously underneath.
            var versions = await Task.Run(() => _rows.Write(rows));
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Written!(versions[i]);
            }
        }
        catch (Exception ex)
        {
            group.ForEach(t => t.Failed!(ex));
        }
        group.Clear();
        grouped.Clear();
    }

    /// <summary>A write in the loop's queue: the grain it is for, and how to take it when its turn comes.</summary>
    private readonly record struct Queued((string StateName, GrainId GrainId) Key, Func<Taken> Take);

    /// <summary>A write taken from the queue: a row to write in a group (and what to do with its new version), or a write of its own.</summary>
    private sealed record Taken(StateRowWrite? Row, Func<Task>? Write, Action<int?>? Written, Action<Exception>? Failed)
    {
        /// <summary>A write already answered (it failed before reaching the database): nothing left to do.</summary>
        public static readonly Taken Nothing = new(null, () => Task.CompletedTask, null, null);
    }

    private sealed class QueuedWrite(object? state, object grainState, TaskCompletionSource waiter)
    {
        public object? State { get; set; } = state;
        public object GrainState { get; set; } = grainState;
        public List<TaskCompletionSource> Waiters { get; } = [waiter];
    }
}
