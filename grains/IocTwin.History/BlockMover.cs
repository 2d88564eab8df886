using System.Buffers;
using System.Diagnostics;
using IocTwin.Model;
using Microsoft.Extensions.Logging;

namespace IocTwin.History;

/// <summary>
/// Moves appended rows into per-sensor blocks, which the queries by sensor use: a process moves its own rows once they
/// hold <see cref="MoveWhenAppended"/> readings or the oldest is <see cref="MaxAppendedAge"/> old, and adopts rows a
/// stopped writer left once they are older than the orphan age.
/// </summary>
internal sealed class BlockMover(HistoryDb db, int writer, AppendedRows appended, ILogger logger, TimeSpan? orphanAge, TimeSpan? moveInterval)
{
    // A move transaction takes appended rows up to this many readings (or rows). A move costs about the same per block
    // whatever the block holds, so larger moves are cheaper per reading; the bound keeps a backlog's move in steps that
    // fit in memory.
    private const int MoveReadingsPerTransaction = 500_000;
    private const int MoveRowsPerTransaction = 2_000;
    /// <summary>How often a process looks whether to move what it appended into per-sensor blocks.</summary>
    public static readonly TimeSpan DefaultMoveInterval = TimeSpan.FromSeconds(15);
    /// <summary>A process moves its appended rows once they hold this many readings...</summary>
    public const int MoveWhenAppended = 1_000_000;
    /// <summary>
    /// ...or once the oldest is this old. A move costs about the same per block whatever the block holds, and each
    /// block is an entry in the per-sensor index: a quiet feed's rows wait, to make blocks of many readings.
    /// </summary>
    public static readonly TimeSpan MaxAppendedAge = TimeSpan.FromMinutes(5);
    /// <summary>Appended rows older than this are moved by whichever process finds them: their writer has stopped.</summary>
    public static readonly TimeSpan DefaultOrphanAge = MaxAppendedAge + TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SlowMove = TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan _orphanAge = orphanAge ?? DefaultOrphanAge;
    private readonly TimeSpan _moveInterval = moveInterval ?? DefaultMoveInterval;
    // What this process appended since its last move began, and when the first of it was committed (0: nothing).
    private long _appendedSinceMove;
    private long _firstUnmovedMs;
    // Moves see about the same number of readings and sensors each time: the last one's size the next one's arrays and
    // its map of sensors (grown from empty, that map's resizes were a hundredth of what a busy silo allocated).
    private int _entriesLastMove;
    private int _sensorsLastMove;

    /// <summary>Counts what this process committed, towards its next move.</summary>
    public void Appended(int readings, long firstCommittedMs)
    {
        Interlocked.Add(ref _appendedSinceMove, readings);
        Interlocked.CompareExchange(ref _firstUnmovedMs, firstCommittedMs, 0);
    }

    /// <summary>Every move interval until stopped: moves when due, and when a stopped writer left rows.</summary>
    public async Task MoveEveryIntervalAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_moveInterval, stopping);
            }
            catch (OperationCanceledException)
            {
            }
            var appendedCount = Interlocked.Exchange(ref _appendedSinceMove, 0);
            var firstUnmoved = Interlocked.Exchange(ref _firstUnmovedMs, 0);
            try
            {
                var due = appendedCount >= MoveWhenAppended
                    || firstUnmoved != 0 && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - firstUnmoved >= MaxAppendedAge.TotalMilliseconds
                    || await HasOrphansAsync(CancellationToken.None);
                if (due)
                {
                    await MoveToBlocksAsync(CancellationToken.None);
                    continue;
                }
            }
            catch (Exception ex)
            {
                // Nothing is lost: the rows stay where they were appended, queries read them there, the next pass moves them.
                logger.LogWarning(ex, "Could not move appended readings into blocks; trying again in {Interval}", _moveInterval);
            }
            // Not moved: what is waiting still counts, with its first commit time.
            Interlocked.Add(ref _appendedSinceMove, appendedCount);
            if (firstUnmoved != 0)
            {
                KeepEarliestUnmoved(firstUnmoved);
            }
        }
    }

    private void KeepEarliestUnmoved(long committedMs)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _firstUnmovedMs);
            var earliest = current == 0 ? committedMs : Math.Min(current, committedMs);
            if (Interlocked.CompareExchange(ref _firstUnmovedMs, earliest, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Whether rows of a stopped writer wait to be moved.</summary>
    private async Task<bool> HasOrphansAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = HistoryDb.Command(connection,
            "SELECT count(*) FROM twin_reading_appended WHERE writer <> @writer AND received < @orphaned",
            ("writer", writer), ("orphaned", DateTimeOffset.UtcNow.Subtract(_orphanAge).ToUnixTimeMilliseconds()));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) > 0;
    }

    /// <summary>
    /// Moves what this process appended, and rows that other processes appended and left longer than the orphan age,
    /// into per-sensor blocks; returns how many readings moved.
    /// </summary>
    public async Task<int> MoveToBlocksAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        while (true)
        {
            var (readings, more) = await MoveOnceAsync(cancellationToken);
            moved += readings;
            if (!more)
            {
                return moved;
            }
        }
    }

    private async Task<(int Readings, bool More)> MoveOnceAsync(CancellationToken cancellationToken)
    {
        // Read and turned into blocks before the write transaction, which then only deletes and inserts: on SQLite
        // appends wait for it.
        var orphaned = DateTimeOffset.UtcNow.Subtract(_orphanAge).ToUnixTimeMilliseconds();
        var ids = new List<long>();
        using var entries = new EntriesBySensor(_entriesLastMove, _sensorsLastMove);
        var rented = new List<byte[]>();
        var more = false;
        try
        {
            await using (var connection = await db.OpenAsync(cancellationToken))
            await using (var command = HistoryDb.Command(connection,
                $"SELECT id, writer, received, count, readings FROM twin_reading_appended WHERE writer = @writer OR received < @orphaned ORDER BY id LIMIT {MoveRowsPerTransaction + 1}",
                ("writer", writer), ("orphaned", orphaned)))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (ids.Count == MoveRowsPerTransaction || entries.Count >= MoveReadingsPerTransaction)
                    {
                        more = true;
                        break;
                    }
                    // Into pooled buffers: a busy feed's rows are large, and would otherwise each be a large-object allocation.
                    var length = (int)reader.GetBytes(4, 0, null, 0, 0);
                    var buffer = ArrayPool<byte>.Shared.Rent(length);
                    rented.Add(buffer);
                    reader.GetBytes(4, 0, buffer, 0, length);
                    ids.Add(reader.GetInt64(0));
                    HistoryCodec.ReadBatch(buffer.AsMemory(0, length), new HistoryBatch(reader.GetInt32(1), reader.GetInt64(2)), entries);
                }
            }
            if (ids.Count == 0)
            {
                return (0, false);
            }
            var blocks = BlockWriter.ToBlocks(entries, out var encoded);
            rented.Add(encoded);
            var writing = Stopwatch.StartNew();
            if (!await ReplaceRowsWithBlocksAsync(ids, blocks, cancellationToken))
            {
                return (0, false);
            }
            HistoryMetrics.MoveWrite.Record(writing.Elapsed.TotalMilliseconds);
            if (writing.Elapsed > SlowMove)
            {
                logger.LogInformation("Moved {Readings} readings into {Blocks} blocks; the history writer was held {Elapsed:N0} ms",
                    entries.Count, blocks.Count, writing.Elapsed.TotalMilliseconds);
            }
            appended.Forget(ids);
            _entriesLastMove = entries.Count;
            _sensorsLastMove = entries.SensorIds.Count;
            return (entries.Count, more);
        }
        finally
        {
            rented.ForEach(buffer => ArrayPool<byte>.Shared.Return(buffer));
        }
    }

    /// <summary>
    /// The rows are deleted in the transaction that writes their blocks; if another process moved one of them first (an
    /// orphan adopted twice), nothing is written and this returns false.
    /// </summary>
    private async Task<bool> ReplaceRowsWithBlocksAsync(List<long> ids, List<Block> blocks, CancellationToken cancellationToken)
    {
        try
        {
            return await db.WriteTransactionAsync(async (connection, transaction) =>
            {
                await using (var delete = HistoryDb.DeleteAppendedRows(connection, ids))
                {
                    delete.Transaction = transaction;
                    if (await delete.ExecuteNonQueryAsync(cancellationToken) != ids.Count)
                    {
                        throw new MovedElsewhereException();
                    }
                }
                await BlockWriter.InsertAsync(connection, blocks, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (MovedElsewhereException)
        {
            return false;
        }
    }

    /// <summary>Rows taken for a move were moved by another process meanwhile; the move is rolled back.</summary>
    private sealed class MovedElsewhereException : Exception;
}
