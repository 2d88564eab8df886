using System.Threading.Channels;
using Orleans.Storage;

namespace IocTwin.Persistence;

/// <summary>
/// Grain storage that hands every write to one writer loop, in arrival order. SQLite takes a single writer, and a
/// second connection that finds the database locked is retried by Microsoft.Data.Sqlite with the calling thread
/// asleep (150 ms a try, up to 30 s, then "database is locked"); under write-behind from thousands of grains those
/// sleeping threads starve the silo's scheduler. Here writers queue without holding a thread and never meet a lock,
/// and the loop runs the writes back to back instead of passing a lock from grain to grain through the busy
/// scheduler. Reads go straight through: in WAL mode they run beside the writer.
/// </summary>
internal sealed class SingleWriterGrainStorage : IGrainStorage
{
    private readonly IGrainStorage _inner;
    private readonly Channel<Func<Task>> _writes = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });

    public SingleWriterGrainStorage(IGrainStorage inner)
    {
        _inner = inner;
        _ = Task.Run(WriteLoopAsync);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        EnqueueAsync(() => _inner.WriteStateAsync(stateName, grainId, grainState));

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

    private async Task WriteLoopAsync()
    {
        while (await _writes.Reader.WaitToReadAsync())
        {
            while (_writes.Reader.TryRead(out var write))
            {
                await write();
            }
        }
    }
}
