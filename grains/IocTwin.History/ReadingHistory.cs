using System.Data.Common;
using System.Buffers;
using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace IocTwin.History;

/// <summary>A reading as kept in history: when it was measured, and the batch it was stored in.</summary>
public sealed record HistoryReading(string SensorId, DateTimeOffset Timestamp, Dictionary<string, double> Values, HistoryBatch Batch)
{
    public long ReceivedMs => Batch.CommittedMs;
}

/// <summary>Average, minimum and maximum of one value over one time step.</summary>
public sealed record ValueStats(double Avg, double Min, double Max, long Count);

public sealed record HistoryBucket(DateTimeOffset Time, Dictionary<string, ValueStats> Values);

/// <summary>One KPI of a segment or district at a time.</summary>
public readonly record struct KpiPoint(string EntityId, DateTimeOffset Time, string Name, double Value);

/// <summary>
/// Every acknowledged reading, in the twin's database. Appends are group-committed: a call completes once its
/// readings are durable, and many concurrent calls share one transaction and one row, so the ingest path stays fast.
/// Every 15 s the rows appended are moved into per-sensor blocks, which the queries by sensor use; queries read
/// both, in one snapshot.
/// </summary>
public sealed class ReadingHistory : BackgroundService
{
    private const int MaxCommitReadings = 20_000;
    private const int KpiSliceRows = 2_000;
    // A move transaction takes appended rows up to this many readings (or rows). A move costs about the same per block
    // whatever the block holds, so larger moves are cheaper per reading; the bound keeps a backlog's move in steps that
    // fit in memory.
    private const int MoveReadingsPerTransaction = 500_000;
    private const int MoveRowsPerTransaction = 2_000;
    private const int LegacyRowsPerTransaction = 50_000;
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
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    // The latest value of each KPI per resolution step, until the next write: bounded by the city's size, not by how
    // often its KPIs change.
    private Dictionary<(string Entity, string Name, long Step), KpiPoint> _kpis = [];
    private readonly Lock _kpiGate = new();
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>KPI history keeps the latest value of each KPI per this step, written once per step.</summary>
    public static readonly TimeSpan KpiResolution = TimeSpan.FromSeconds(5);
    private readonly bool _sqlite;
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;
    // Shared with every other writer of the history file in this process.
    private readonly SemaphoreSlim? _sqliteWriteGate;
    private readonly TimeSpan _orphanAge;
    private readonly TimeSpan _moveInterval;
    private readonly ILogger<ReadingHistory> _logger;
    private long _lastCommitMs;
    // What this process appended since its last move began, and when the first of it was committed (0: nothing).
    private long _appendedSinceMove;
    private long _firstUnmovedMs;
    // Identifies this process's batches: commit times increase per writer, not across processes.
    private readonly int _writer = Random.Shared.Next(1, int.MaxValue);

    public ReadingHistory(HistoryDatabase database, ILogger<ReadingHistory> logger, TimeSpan? orphanAge = null, TimeSpan? moveInterval = null)
    {
        _sqlite = database.IsSqlite;
        _connectionString = database.ConnectionString;
        _postgres = _sqlite ? null : NpgsqlDataSource.Create(_connectionString);
        _sqliteWriteGate = _sqlite ? SqliteWriteGate.For(_connectionString) : null;
        _orphanAge = orphanAge ?? DefaultOrphanAge;
        _moveInterval = moveInterval ?? DefaultMoveInterval;
        _logger = logger;
    }

    /// <summary>
    /// Stores readings; completes once they are durable, with the time they were committed (Unix ms, increasing
    /// within this process), which the sensor grains use to tell replayed readings from new ones.
    /// </summary>
    public Task<HistoryBatch> AppendAsync(IReadOnlyList<(string SensorId, Reading Reading)> readings, CancellationToken cancellationToken = default)
    {
        if (readings.Count == 0)
        {
            return Task.FromResult(new HistoryBatch(_writer, 0));
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

    /// <summary>Queues KPI changes; they are written in batches every <see cref="KpiResolution"/>, off the caller's path.</summary>
    public void RecordKpis(IEnumerable<KpiPoint> points)
    {
        var resolutionMs = (long)KpiResolution.TotalMilliseconds;
        lock (_kpiGate)
        {
            foreach (var point in points)
            {
                _kpis[(point.EntityId, point.Name, point.Time.ToUnixTimeMilliseconds() / resolutionMs)] = point;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var kpis = WriteKpisAsync();
        var moves = MoveEveryIntervalAsync();
        await WriteReadingsAsync(stoppingToken);
        await kpis;
        await moves;
    }

    private async Task WriteKpisAsync()
    {
        // A busy city changes its segments' KPIs with every reading: keep the latest value of each KPI per
        // resolution step, which is finer than any query asks for, instead of a row per change.
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(KpiResolution, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
            Dictionary<(string, string, long), KpiPoint> batch;
            lock (_kpiGate)
            {
                if (_kpis.Count == 0)
                {
                    continue;
                }
                batch = _kpis;
                _kpis = [];
            }
            try
            {
                // In slices, each its own transaction: readings waiting for their acknowledgement take turns with
                // the slices instead of waiting for all of a busy city's KPIs.
                foreach (var slice in batch.Values.Chunk(KpiSliceRows))
                {
                    await WriteKpiRowsAsync(slice, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                // KPI history is a record of the past, not an acknowledgement: a lost batch is logged, not retried.
                _logger.LogWarning(ex, "Could not store {Rows} KPI points", batch.Count);
            }
        }
    }

    private async Task WriteReadingsAsync(CancellationToken stoppingToken)
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
                await AppendRowsAsync(batch, keys, CancellationToken.None);
                Interlocked.Add(ref _appendedSinceMove, readings);
                Interlocked.CompareExchange(ref _firstUnmovedMs, keys[0], 0);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Stored.TrySetResult(new HistoryBatch(_writer, keys[i]));
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not store {Rows} readings", readings);
                batch.ForEach(p => p.Stored.TrySetException(ex));
            }
            batch.Clear();
            if (stoppingToken.IsCancellationRequested && !_pending.Reader.TryPeek(out _))
            {
                break;
            }
        }
    }

    private Task AppendRowsAsync(List<PendingAppend> batch, List<long> keys, CancellationToken cancellationToken) =>
        WriteTransactionAsync(async (connection, transaction) =>
        {
            await using var insert = Command(connection,
                "INSERT INTO twin_reading_appended (writer, received, count, readings) VALUES (@writer, @received, @count, @readings)",
                ("writer", _writer), ("received", 0L), ("count", 0), ("readings", Array.Empty<byte>()));
            insert.Transaction = transaction;
            for (var i = 0; i < batch.Count; i++)
            {
                insert.Parameters[1].Value = keys[i];
                insert.Parameters[2].Value = batch[i].Count;
                insert.Parameters[3].Value = batch[i].Row;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            return true;
        }, cancellationToken);

    private async Task MoveEveryIntervalAsync()
    {
        try
        {
            await MoveLegacyReadingsAsync(_stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not move readings of the former history table into blocks; trying again at the next start");
        }
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_moveInterval, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
            var appended = Interlocked.Exchange(ref _appendedSinceMove, 0);
            var firstUnmoved = Interlocked.Exchange(ref _firstUnmovedMs, 0);
            try
            {
                var due = appended >= MoveWhenAppended
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
                _logger.LogWarning(ex, "Could not move appended readings into blocks; trying again in {Interval}", _moveInterval);
            }
            // Not moved: what is waiting still counts, with its first commit time.
            Interlocked.Add(ref _appendedSinceMove, appended);
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
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT count(*) FROM twin_reading_appended WHERE writer <> @writer AND received < @orphaned",
            ("writer", _writer), ("orphaned", DateTimeOffset.UtcNow.Subtract(_orphanAge).ToUnixTimeMilliseconds()));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) > 0;
    }

    /// <summary>
    /// Moves what this process appended, and rows that other processes appended and left longer than the orphan age,
    /// into per-sensor blocks; returns how many readings moved. The background pass does this once a process has appended
    /// <see cref="MoveWhenAppended"/> readings or its oldest row is <see cref="MaxAppendedAge"/> old, and when a stopped
    /// writer left rows.
    /// </summary>
    public async Task<int> MoveToBlocksAsync(CancellationToken cancellationToken = default)
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

    private static readonly TimeSpan SlowMove = TimeSpan.FromMilliseconds(250);

    // Moves see about the same number of readings each time: the last one's sizes the next one's arrays.
    private int _entriesLastMove;

    private async Task<(int Readings, bool More)> MoveOnceAsync(CancellationToken cancellationToken)
    {
        // Read and turned into blocks before the write transaction, which then only deletes and inserts: on SQLite
        // appends wait for it.
        var orphaned = DateTimeOffset.UtcNow.Subtract(_orphanAge).ToUnixTimeMilliseconds();
        var ids = new List<long>();
        using var entries = new EntriesBySensor(_entriesLastMove);
        var rented = new List<byte[]>();
        var more = false;
        try
        {
            await using (var connection = await OpenAsync(cancellationToken))
            await using (var command = Command(connection,
                $"SELECT id, writer, received, count, readings FROM twin_reading_appended WHERE writer = @writer OR received < @orphaned ORDER BY id LIMIT {MoveRowsPerTransaction + 1}",
                ("writer", _writer), ("orphaned", orphaned)))
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
            var blocks = ToBlocks(entries, out var encoded);
            rented.Add(encoded);
            // The rows are deleted in the transaction that writes their blocks; if another process moved one of them
            // first (an orphan adopted twice), this move is rolled back.
            var writing = Stopwatch.StartNew();
            try
            {
                await WriteTransactionAsync(async (connection, transaction) =>
                {
                    await using (var delete = _sqlite
                        ? Command(connection, $"DELETE FROM twin_reading_appended WHERE id IN ({string.Join(", ", ids)})")
                        : Command(connection, "DELETE FROM twin_reading_appended WHERE id = ANY(@ids)", ("ids", ids.ToArray())))
                    {
                        delete.Transaction = transaction;
                        if (await delete.ExecuteNonQueryAsync(cancellationToken) != ids.Count)
                        {
                            throw new MovedElsewhereException();
                        }
                    }
                    await InsertBlocksAsync(connection, transaction, blocks, cancellationToken);
                    return true;
                }, cancellationToken);
            }
            catch (MovedElsewhereException)
            {
                return (0, false);
            }
            HistoryMetrics.MoveWrite.Record(writing.Elapsed.TotalMilliseconds);
            if (writing.Elapsed > SlowMove)
            {
                _logger.LogInformation("Moved {Readings} readings into {Blocks} blocks; the history writer was held {Elapsed:N0} ms",
                    entries.Count, blocks.Count, writing.Elapsed.TotalMilliseconds);
            }
            foreach (var id in ids)
            {
                _parsedAppended.TryRemove(id, out _);
            }
            _entriesLastMove = entries.Count;
            return (entries.Count, more);
        }
        finally
        {
            rented.ForEach(buffer => ArrayPool<byte>.Shared.Return(buffer));
        }
    }

    /// <summary>Readings kept one row each by earlier versions of the twin (table twin_reading): moved into blocks, then the table is dropped.</summary>
    private async Task MoveLegacyReadingsAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var exists = Command(connection, _sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'twin_reading'"
            : "SELECT count(*) FROM pg_tables WHERE tablename = 'twin_reading' AND schemaname = current_schema()"))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken)) == 0)
            {
                return;
            }
        }
        var take = _sqlite
            ? $"DELETE FROM twin_reading WHERE rowid IN (SELECT rowid FROM twin_reading LIMIT {LegacyRowsPerTransaction}) RETURNING sensor_id, ts, writer, received, payload"
            : $"DELETE FROM twin_reading WHERE ctid = ANY(ARRAY(SELECT ctid FROM twin_reading LIMIT {LegacyRowsPerTransaction} FOR UPDATE SKIP LOCKED)) RETURNING sensor_id, ts, writer, received, payload::text";
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var moved = await WriteTransactionAsync(async (connection, transaction) =>
            {
                using var entries = new EntriesBySensor();
                await using (var command = Command(connection, take))
                {
                    command.Transaction = transaction;
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        var values = JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(4)) ?? [];
                        entries.Add(new StoredEntry(reader.GetString(0), reader.GetInt64(1),
                            new HistoryBatch(reader.GetInt32(2), reader.GetInt64(3)), HistoryCodec.EncodeValues(values)));
                    }
                }
                var blocks = ToBlocks(entries, out var encoded);
                try
                {
                    await InsertBlocksAsync(connection, transaction, blocks, cancellationToken);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(encoded);
                }
                if (entries.Count == 0)
                {
                    await using var drop = Command(connection, "DROP TABLE IF EXISTS twin_reading");
                    drop.Transaction = transaction;
                    await drop.ExecuteNonQueryAsync(cancellationToken);
                }
                return entries.Count;
            }, cancellationToken);
            total += moved;
            if (moved == 0)
            {
                _logger.LogInformation("Moved {Readings} readings of the former history table into blocks", total);
                return;
            }
        }
    }

    private sealed record Block(string SensorId, long FirstTs, long LastTs, long LastReceived, int Count, ReadOnlyMemory<byte> Readings);

    /// <summary>One block per sensor, in sensor order so that the index pages their inserts touch are neighbours.</summary>
    private static List<Block> ToBlocks(EntriesBySensor entries, out byte[] encoded)
    {
        var sensorIds = entries.SensorIds.ToArray();
        var slots = new int[sensorIds.Length];
        var sizes = new int[sensorIds.Length];
        var total = 0;
        for (var slot = 0; slot < slots.Length; slot++)
        {
            slots[slot] = slot;
            total += sizes[slot] = HistoryCodec.BlockSize(entries.OfSlot(slot));
        }
        Array.Sort(sensorIds, slots, StringComparer.Ordinal);
        // All blocks in one pooled buffer, given back by the caller once they are written.
        encoded = ArrayPool<byte>.Shared.Rent(Math.Max(1, total));
        var blocks = new List<Block>(sensorIds.Length);
        var offset = 0;
        for (var i = 0; i < sensorIds.Length; i++)
        {
            var run = entries.OfSlot(slots[i]);
            long first = long.MaxValue, last = long.MinValue, lastReceived = long.MinValue;
            foreach (ref readonly var entry in run)
            {
                first = Math.Min(first, entry.TimestampMs);
                last = Math.Max(last, entry.TimestampMs);
                lastReceived = Math.Max(lastReceived, entry.Batch.CommittedMs);
            }
            var size = sizes[slots[i]];
            HistoryCodec.EncodeBlock(run, encoded.AsSpan(offset, size));
            blocks.Add(new Block(sensorIds[i], first, last, lastReceived, run.Length, encoded.AsMemory(offset, size)));
            offset += size;
        }
        return blocks;
    }

    private static readonly Column[] BlockColumns =
    [
        new("sensor_id", NpgsqlDbType.Text), new("first_ts", NpgsqlDbType.Bigint),
        new("last_ts", NpgsqlDbType.Bigint), new("last_received", NpgsqlDbType.Bigint),
        new("count", NpgsqlDbType.Integer), new("readings", NpgsqlDbType.Bytea),
    ];

    private static Task InsertBlocksAsync(DbConnection connection, DbTransaction transaction, List<Block> blocks, CancellationToken cancellationToken) =>
        InsertRowsAsync(connection, transaction, "twin_reading_block", BlockColumns, blocks.Select(b => new object[]
        {
            b.SensorId, b.FirstTs, b.LastTs, b.LastReceived, b.Count, b.Readings,
        }), cancellationToken);

    /// <summary>A write transaction; on SQLite behind the file's write gate.</summary>
    private async Task<T> WriteTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        if (_sqliteWriteGate is not null)
        {
            await _sqliteWriteGate.WaitAsync(cancellationToken);
        }
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _sqliteWriteGate?.Release();
        }
    }

    /// <summary>
    /// Reads in one snapshot: a move commits blocks and removes the rows they came from at once, and a reader sees
    /// either the rows or the blocks, never both or neither.
    /// </summary>
    private async Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using DbTransaction transaction = connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        return await read(connection, transaction);
    }

    /// <summary>Entries of the blocks a query selects as (sensor_id, readings).</summary>
    private static async Task ReadBlocksAsync(DbConnection connection, DbTransaction transaction, string sql, List<StoredEntry> into,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        command.Transaction = transaction;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            HistoryCodec.ReadBlock(reader.GetString(0), (byte[])reader.GetValue(1), into);
        }
    }

    // Appended rows parsed once, by sensor: grains activating together all read the same few rows. Keyed by row id,
    // which is never reused; rows leave when moved (by this process, or seen gone by a query).
    private readonly ConcurrentDictionary<long, EntriesBySensor> _parsedAppended = new();

    /// <summary>Entries of appended rows not yet moved, committed after a time; only one sensor's if given.</summary>
    private async Task ReadAppendedAsync(DbConnection connection, DbTransaction transaction, List<StoredEntry> into,
        CancellationToken cancellationToken, string? sensorId = null, long committedAfterMs = long.MinValue)
    {
        var listed = new Dictionary<long, long>();
        await using (var command = Command(connection, "SELECT id, received FROM twin_reading_appended"))
        {
            command.Transaction = transaction;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                listed[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }
        foreach (var id in _parsedAppended.Keys.Where(id => !listed.ContainsKey(id)))
        {
            _parsedAppended.TryRemove(id, out _);
        }
        var wanted = listed.Where(row => row.Value > committedAfterMs).Select(row => row.Key).Order().ToList();
        // Held here, not looked up again at the end: a move committing meanwhile drops its rows from the cache, and
        // this snapshot still sees those rows, not the blocks they went into.
        var parsedRows = new Dictionary<long, EntriesBySensor>(wanted.Count);
        var missing = new HashSet<long>();
        foreach (var id in wanted)
        {
            if (_parsedAppended.TryGetValue(id, out var cached))
            {
                parsedRows[id] = cached;
            }
            else
            {
                missing.Add(id);
            }
        }
        if (missing.Count > 0)
        {
            await using var command = Command(connection, "SELECT id, writer, received, readings FROM twin_reading_appended WHERE id >= @first",
                ("first", missing.Min()));
            command.Transaction = transaction;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                if (!missing.Contains(id))
                {
                    continue;
                }
                var bySensor = new EntriesBySensor();
                HistoryCodec.ReadBatch((byte[])reader.GetValue(3), new HistoryBatch(reader.GetInt32(1), reader.GetInt64(2)), bySensor);
                _parsedAppended[id] = parsedRows[id] = bySensor.Seal();
            }
        }
        foreach (var id in wanted)
        {
            var parsed = parsedRows[id];
            if (sensorId is not null)
            {
                AddCommittedAfter(parsed.Of(sensorId));
                continue;
            }
            for (var slot = 0; slot < parsed.SensorIds.Count; slot++)
            {
                AddCommittedAfter(parsed.OfSlot(slot));
            }
        }

        void AddCommittedAfter(ReadOnlySpan<StoredEntry> entries)
        {
            foreach (ref readonly var entry in entries)
            {
                if (entry.Batch.CommittedMs > committedAfterMs)
                {
                    into.Add(entry);
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Store what was handed over before stopping: it may have been acknowledged already.
        _pending.Writer.TryComplete();
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>How many readings history holds.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT (SELECT coalesce(sum(count), 0) FROM twin_reading_block) + (SELECT coalesce(sum(count), 0) FROM twin_reading_appended)");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    public async Task<IReadOnlyList<HistoryBucket>> QueryAsync(
        string sensorId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default)
    {
        var stepMs = Math.Max(1, (long)step.TotalMilliseconds);
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var entries = await ReadSnapshotAsync(async (connection, transaction) =>
        {
            var found = new List<StoredEntry>();
            await ReadBlocksAsync(connection, transaction,
                "SELECT sensor_id, readings FROM twin_reading_block WHERE sensor_id = @sensor AND last_ts >= @from AND first_ts < @to",
                found, cancellationToken, ("sensor", sensorId), ("from", fromMs), ("to", toMs));
            await ReadAppendedAsync(connection, transaction, found, cancellationToken, sensorId);
            return found;
        }, cancellationToken);

        var keys = new Utf8NameCache();
        var buckets = new SortedDictionary<long, SortedDictionary<string, (double Sum, double Min, double Max, long Count)>>();
        foreach (var entry in entries)
        {
            if (entry.TimestampMs < fromMs || entry.TimestampMs >= toMs)
            {
                continue;
            }
            var time = entry.TimestampMs / stepMs * stepMs;
            if (!buckets.TryGetValue(time, out var bucket))
            {
                buckets[time] = bucket = new(StringComparer.Ordinal);
            }
            foreach (var (name, value) in HistoryCodec.DecodeValues(entry.Values.Span, keys))
            {
                if (!ReadingRanges.Allows(name, value))
                {
                    continue; // stored before value ranges were enforced
                }
                bucket[name] = bucket.TryGetValue(name, out var stats)
                    ? (stats.Sum + value, Math.Min(stats.Min, value), Math.Max(stats.Max, value), stats.Count + 1)
                    : (value, value, value, 1);
            }
        }
        return [.. buckets.Select(b => new HistoryBucket(DateTimeOffset.FromUnixTimeMilliseconds(b.Key),
            b.Value.ToDictionary(v => v.Key, v => new ValueStats(v.Value.Sum / v.Value.Count, v.Value.Min, v.Value.Max, v.Value.Count))))];
    }

    /// <summary>A segment's or district's KPIs downsampled to avg/min/max per step.</summary>
    public async Task<IReadOnlyList<HistoryBucket>> QueryKpisAsync(
        string entityId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default)
    {
        // The value bounds skip non-finite KPIs written before readings were range-checked (PostgreSQL orders NaN
        // above every number); the schema deletes them once, and nothing writes them now.
        const string sql = """
            SELECT (ts / @step) * @step AS bucket, name, avg(value), min(value), max(value), count(*)
            FROM twin_kpi
            WHERE entity_id = @entity AND ts >= @from AND ts < @to AND value > -1e300 AND value < 1e300
            GROUP BY bucket, name ORDER BY bucket, name
            """;
        var buckets = new List<HistoryBucket>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, ("step", Math.Max(1, (long)step.TotalMilliseconds)), ("entity", entityId),
            ("from", from.ToUnixTimeMilliseconds()), ("to", to.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0));
            if (buckets.Count == 0 || buckets[^1].Time != time)
            {
                buckets.Add(new HistoryBucket(time, []));
            }
            buckets[^1].Values[reader.GetString(1)] =
                new ValueStats(reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetInt64(5));
        }
        return buckets;
    }

    /// <summary>The newest reading of each sensor measured at or before a time: the twin as it was then.</summary>
    public async Task<Dictionary<string, HistoryReading>> LatestAtAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        var atMs = time.ToUnixTimeMilliseconds();
        var entries = await ReadSnapshotAsync(async (connection, transaction) =>
        {
            var found = new List<StoredEntry>();
            // Per sensor, the block whose last reading is the newest at or before the time, and blocks spanning the
            // time (their newest reading before it may be newer still).
            await ReadBlocksAsync(connection, transaction, """
                SELECT b.sensor_id, b.readings FROM twin_reading_block b
                JOIN (SELECT sensor_id, max(last_ts) AS last_ts FROM twin_reading_block WHERE last_ts <= @at GROUP BY sensor_id) latest
                  ON latest.sensor_id = b.sensor_id AND latest.last_ts = b.last_ts
                """, found, cancellationToken, ("at", atMs));
            await ReadBlocksAsync(connection, transaction,
                "SELECT sensor_id, readings FROM twin_reading_block WHERE first_ts <= @at AND last_ts > @at",
                found, cancellationToken, ("at", atMs));
            await ReadAppendedAsync(connection, transaction, found, cancellationToken);
            return found;
        }, cancellationToken);

        var newest = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Two readings of one sensor at the same instant: the later received wins, as it did live.
            if (entry.TimestampMs <= atMs && (!newest.TryGetValue(entry.SensorId, out var other)
                || (entry.TimestampMs, entry.Batch.CommittedMs) .CompareTo((other.TimestampMs, other.Batch.CommittedMs)) >= 0))
            {
                newest[entry.SensorId] = entry;
            }
        }
        var keys = new Utf8NameCache();
        return newest.ToDictionary(p => p.Key, p => p.Value.ToReading(keys));
    }

    /// <summary>A sensor's readings in batches committed after a time, oldest batch first: what a grain may have to catch up on.</summary>
    public async Task<List<HistoryReading>> CommittedAfterAsync(string sensorId, long committedAfterMs, CancellationToken cancellationToken = default)
    {
        var entries = await ReadSnapshotAsync(async (connection, transaction) =>
        {
            var found = new List<StoredEntry>();
            await ReadBlocksAsync(connection, transaction,
                "SELECT sensor_id, readings FROM twin_reading_block WHERE sensor_id = @sensor AND last_received > @after",
                found, cancellationToken, ("sensor", sensorId), ("after", committedAfterMs));
            await ReadAppendedAsync(connection, transaction, found, cancellationToken, sensorId, committedAfterMs);
            return found;
        }, cancellationToken);
        var keys = new Utf8NameCache();
        return [.. entries.Where(e => e.Batch.CommittedMs > committedAfterMs)
            .OrderBy(e => e.Batch.CommittedMs).ThenBy(e => e.Batch.Writer)
            .Select(e => e.ToReading(keys))];
    }

    private static readonly Column[] KpiColumns =
    [
        new("entity_id", NpgsqlDbType.Text), new("ts", NpgsqlDbType.Bigint),
        new("name", NpgsqlDbType.Text), new("value", NpgsqlDbType.Double),
    ];

    private Task WriteKpiRowsAsync(IEnumerable<KpiPoint> points, CancellationToken cancellationToken) =>
        WriteTransactionAsync(async (connection, transaction) =>
        {
            await InsertRowsAsync(connection, transaction, "twin_kpi", KpiColumns, points.Select(p => new object[]
            {
                p.EntityId, p.Time.ToUnixTimeMilliseconds(), p.Name, p.Value,
            }), cancellationToken);
            return true;
        }, cancellationToken);

    private sealed record Column(string Name, NpgsqlDbType PostgresType);

    /// <summary>Rows in one go, in the caller's transaction: COPY on PostgreSQL, one prepared INSERT per row on SQLite.</summary>
    private static async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, string table, Column[] columns,
        IEnumerable<object[]> rows, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        if (connection is NpgsqlConnection postgres)
        {
            await using var import = await postgres.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var row in rows)
            {
                await import.StartRowAsync(cancellationToken);
                for (var i = 0; i < columns.Length; i++)
                {
                    await import.WriteAsync(row[i], columns[i].PostgresType, cancellationToken);
                }
            }
            await import.CompleteAsync(cancellationToken);
            return;
        }
        // One statement stepped per row with its values bound straight to SQLite: through SqliteCommand each execution
        // costs a reader, a binder per parameter and a UTF-8 copy per text, more than the insert itself.
        var sqlite = (SqliteConnection)connection;
        var sql = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"?{i + 1}"))})";
        Check(raw.sqlite3_prepare_v2(sqlite.Handle, sql, out var insert), sqlite);
        using (insert)
        {
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    Check(Bind(insert, i + 1, row[i]), sqlite);
                }
                var stepped = raw.sqlite3_step(insert);
                if (stepped != raw.SQLITE_DONE)
                {
                    Check(stepped, sqlite);
                }
                Check(raw.sqlite3_reset(insert), sqlite);
            }
        }

        static int Bind(sqlite3_stmt insert, int index, object? value) => value switch
        {
            null => raw.sqlite3_bind_null(insert, index),
            string text => BindText(insert, index, text),
            long integer => raw.sqlite3_bind_int64(insert, index, integer),
            int integer => raw.sqlite3_bind_int64(insert, index, integer),
            double real => raw.sqlite3_bind_double(insert, index, real),
            byte[] blob => raw.sqlite3_bind_blob(insert, index, blob),
            ReadOnlyMemory<byte> blob => raw.sqlite3_bind_blob(insert, index, blob.Span),
            _ => throw new ArgumentException($"No SQLite binding for {value.GetType()}", nameof(value)),
        };

        static int BindText(sqlite3_stmt insert, int index, string text)
        {
            // Ids and names are short: encoded on the stack; SQLite copies the bytes before the call returns.
            var length = Encoding.UTF8.GetMaxByteCount(text.Length);
            Span<byte> utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
            return raw.sqlite3_bind_text(insert, index, utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
        }

        static void Check(int result, SqliteConnection connection)
        {
            if (result != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(result, connection.Handle);
            }
        }
    }


    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public override void Dispose()
    {
        _postgres?.Dispose();
        base.Dispose();
    }

    /// <summary>Rows taken for a move were moved by another process meanwhile; the move is rolled back.</summary>
    private sealed class MovedElsewhereException : Exception;

    private sealed record PendingAppend(byte[] Row, int Count, TaskCompletionSource<HistoryBatch> Stored);
}
