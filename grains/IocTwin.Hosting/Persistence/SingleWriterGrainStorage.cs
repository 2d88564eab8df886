using System.Threading.Channels;
using Orleans.Serialization;
using Orleans.Storage;

namespace IocTwin.Persistence;

/// <summary>
/// Grain storage that hands every write to one writer loop, in arrival order. SQLite takes a single writer, and a
/// second connection that finds the database locked is retried by Microsoft.Data.Sqlite with the calling thread
/// asleep (150 ms a try, up to 30 s, then "database is locked"); under write-behind from thousands of grains those
/// sleeping threads starve the silo's scheduler. Here writers queue without holding a thread and never meet a lock,
/// and the loop runs the writes back to back instead of passing a lock from grain to grain through the busy
/// scheduler. Reads go straight through: in WAL mode they run beside the writer.
/// A write takes a copy of the state when it is asked for, so a grain whose write-behind timer interleaves keeps
/// taking calls (and changing its state) while its write waits its turn; writes of one grain run in order, each
/// with the ETag the one before it left.
/// </summary>
internal sealed class SingleWriterGrainStorage : IGrainStorage
{
    private readonly IGrainStorage _inner;
    private readonly SemaphoreSlim _fileGate;
    private readonly Channel<Func<Task>> _writes = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });

    private readonly DeepCopier _copier;
    private readonly Dictionary<(string StateName, GrainId GrainId), QueuedWrite> _queued = [];

    public SingleWriterGrainStorage(IGrainStorage inner, string connectionString, DeepCopier copier)
    {
        _inner = inner;
        _copier = copier;
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
        _writes.Writer.TryWrite(async () =>
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
            try
            {
                await _inner.WriteStateAsync(stateName, grainId, stored);
                target.ETag = stored.ETag;
                target.RecordExists = stored.RecordExists;
                write.Waiters.ForEach(w => w.SetResult());
            }
            catch (Exception ex)
            {
                write.Waiters.ForEach(w => w.SetException(ex));
            }
        });
        return done.Task;
    }

    private sealed class QueuedWrite(object? state, object grainState, TaskCompletionSource waiter)
    {
        public object? State { get; set; } = state;
        public object GrainState { get; set; } = grainState;
        public List<TaskCompletionSource> Waiters { get; } = [waiter];
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        EnqueueAsync(() => _inner.ClearStateAsync(stateName, grainId, grainState));

    private Task EnqueueAsync(Func<Task> write)
    {
        // The caller resumes on its own scheduler, never inline on the writer loop.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _writes.Writer.TryWrite(async () =>
        {
            try
            {
                await write();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    private const int MaxWritesPerTurn = 8;

    private async Task WriteLoopAsync()
    {
        while (await _writes.Reader.WaitToReadAsync())
        {
            // The file is shared with history's writers: hold it for a run of queued writes, not for each.
            await _fileGate.WaitAsync();
            try
            {
                for (var run = 0; run < MaxWritesPerTurn && _writes.Reader.TryRead(out var write); run++)
                {
                    await write();
                }
            }
            finally
            {
                _fileGate.Release();
            }
        }
    }
}
