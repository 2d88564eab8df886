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
        var copy = new GrainState<T>(_copier.Copy(grainState.State));
        return EnqueueAsync(async () =>
        {
            // Earlier writes of this grain ran before this one and left their ETag on the grain's state.
            copy.ETag = grainState.ETag;
            copy.RecordExists = grainState.RecordExists;
            await _inner.WriteStateAsync(stateName, grainId, copy);
            grainState.ETag = copy.ETag;
            grainState.RecordExists = copy.RecordExists;
        });
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

    private const int MaxWritesPerTurn = 64;

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
