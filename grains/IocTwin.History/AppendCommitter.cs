using System.Threading.Channels;
using IocTwin.Model;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;

namespace IocTwin.History;

/// <summary>
/// The append path, group-committed: a call completes once its readings are durable, and many concurrent calls share
/// one transaction (each its own row of twin_reading_appended), so the ingest path stays fast.
/// </summary>
internal sealed class AppendCommitter(HistoryDb db, int writer, BlockMover mover, ILogger logger)
{
    private const int MaxCommitReadings = 20_000;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private long _lastCommitMs;

    public Task<HistoryBatch> AppendAsync(IReadOnlyList<(string SensorId, Reading Reading)> readings, CancellationToken cancellationToken)
    {
        if (readings.Count == 0)
        {
            return Task.FromResult(new HistoryBatch(writer, 0));
        }
        // Encoded on the caller's thread, into the row as it is stored.
        var pending = new PendingAppend(HistoryCodec.EncodeBatch(readings), readings.Count,
            new TaskCompletionSource<HistoryBatch>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("Reading history is shut down.");
        }
        return pending.Stored.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Takes no more appends; <see cref="CommitAllAsync"/> stores what was handed over and returns.</summary>
    public void Complete() => _pending.Writer.TryComplete();

    /// <summary>Commits appends as they come until completed, and stopping, with nothing left waiting.</summary>
    public async Task CommitAllAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingAppend>();
        while (await _pending.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var readings = 0;
            while (readings < MaxCommitReadings && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
                readings += next.Count;
            }
            try
            {
                // One transaction for all, but each append its own row and batch key: grains tell deliveries apart by it.
                var keys = batch.Select(_ => _lastCommitMs = Math.Max(_lastCommitMs + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ToList();
                await InsertRowsAsync(batch, keys);
                mover.Appended(readings, keys[0]);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Stored.TrySetResult(new HistoryBatch(writer, keys[i]));
                }
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Could not store {Rows} readings", readings);
                batch.ForEach(p => p.Stored.TrySetException(ex));
            }
            batch.Clear();
            if (stoppingToken.IsCancellationRequested && !_pending.Reader.TryPeek(out _))
            {
                break;
            }
        }
    }

    private static readonly BulkColumn[] Columns =
    [
        new("writer", NpgsqlDbType.Integer), new("received", NpgsqlDbType.Bigint),
        new("count", NpgsqlDbType.Integer), new("readings", NpgsqlDbType.Bytea),
    ];

    /// <summary>The appends in one transaction: a binary COPY on PostgreSQL (one round trip, not one per append).</summary>
    private Task InsertRowsAsync(List<PendingAppend> batch, List<long> keys) =>
        db.WriteTransactionAsync(async (connection, _) =>
        {
            await BulkInsert.RowsAsync(connection, "twin_reading_appended", Columns,
                batch.Select((append, i) => new object[] { writer, keys[i], append.Count, append.Row }), CancellationToken.None);
            return true;
        }, CancellationToken.None);

    private sealed record PendingAppend(byte[] Row, int Count, TaskCompletionSource<HistoryBatch> Stored);
}
