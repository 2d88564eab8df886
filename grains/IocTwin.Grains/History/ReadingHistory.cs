using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using IocTwin.Hosting;
using IocTwin.Model;
using IocTwin.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

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
/// readings are durable, and many concurrent calls share one transaction, so the ingest path stays fast.
/// </summary>
public sealed class ReadingHistory : BackgroundService
{
    private const int MaxBatchRows = 20_000;
    private const int KpiSliceRows = 2_000;
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
    private readonly ILogger<ReadingHistory> _logger;
    private long _lastCommitMs;
    // Identifies this process's batches: commit times increase per writer, not across processes.
    private readonly int _writer = Random.Shared.Next(1, int.MaxValue);

    public ReadingHistory(TwinHostingOptions hosting, ILogger<ReadingHistory> logger)
    {
        _sqlite = hosting.Storage == StorageKind.Sqlite;
        _connectionString = hosting.HistoryConnection;
        _postgres = _sqlite ? null : NpgsqlDataSource.Create(_connectionString);
        _sqliteWriteGate = _sqlite ? SqliteWriteGate.For(_connectionString) : null;
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
            return Task.FromResult(default(HistoryBatch));
        }
        var pending = new PendingAppend(readings, new TaskCompletionSource<HistoryBatch>(TaskCreationOptions.RunContinuationsAsynchronously));
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
        await WriteReadingsAsync(stoppingToken);
        await kpis;
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
            var rows = 0;
            while (rows < MaxBatchRows && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
                rows += next.Readings.Count;
            }
            try
            {
                // One transaction for all, but each append its own batch key: grains tell deliveries apart by it.
                var keys = batch.Select(_ => new HistoryBatch(_writer, _lastCommitMs = Math.Max(_lastCommitMs + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))).ToList();
                await WriteAsync(batch.SelectMany((p, i) => p.Readings.Select(r => (r.SensorId, r.Reading, keys[i]))), CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Stored.TrySetResult(keys[i]);
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not store {Rows} readings", rows);
                batch.ForEach(p => p.Stored.TrySetException(ex));
            }
            batch.Clear();
            if (stoppingToken.IsCancellationRequested && !_pending.Reader.TryPeek(out _))
            {
                break;
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

    public async Task<IReadOnlyList<HistoryBucket>> QueryAsync(
        string sensorId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default)
    {
        var stepMs = Math.Max(1, (long)step.TotalMilliseconds);
        var sql = _sqlite
            ? """
              SELECT (r.ts / @step) * @step AS bucket, j.key, avg(j.value), min(j.value), max(j.value), count(*)
              FROM twin_reading r, json_each(r.payload) j
              WHERE r.sensor_id = @sensor AND r.ts >= @from AND r.ts < @to
              GROUP BY bucket, j.key ORDER BY bucket, j.key
              """
            : """
              SELECT (r.ts / @step) * @step AS bucket, j.key, avg(j.value::float8), min(j.value::float8), max(j.value::float8), count(*)
              FROM twin_reading r, jsonb_each_text(r.payload) j
              WHERE r.sensor_id = @sensor AND r.ts >= @from AND r.ts < @to
              GROUP BY bucket, j.key ORDER BY bucket, j.key
              """;
        return await ReadBucketsAsync(sql, cancellationToken, ("step", stepMs), ("sensor", sensorId),
            ("from", from.ToUnixTimeMilliseconds()), ("to", to.ToUnixTimeMilliseconds()));
    }

    /// <summary>A segment's or district's KPIs downsampled to avg/min/max per step.</summary>
    public Task<IReadOnlyList<HistoryBucket>> QueryKpisAsync(
        string entityId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT (ts / @step) * @step AS bucket, name, avg(value), min(value), max(value), count(*)
            FROM twin_kpi
            WHERE entity_id = @entity AND ts >= @from AND ts < @to
            GROUP BY bucket, name ORDER BY bucket, name
            """;
        return ReadBucketsAsync(sql, cancellationToken, ("step", Math.Max(1, (long)step.TotalMilliseconds)), ("entity", entityId),
            ("from", from.ToUnixTimeMilliseconds()), ("to", to.ToUnixTimeMilliseconds()));
    }

    /// <summary>Rows of (bucket, name, avg, min, max, count) gathered into buckets.</summary>
    private async Task<IReadOnlyList<HistoryBucket>> ReadBucketsAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var buckets = new List<HistoryBucket>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
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
        const string sql = """
            SELECT r.sensor_id, r.ts, r.writer, r.received, r.payload
            FROM twin_reading r
            JOIN (SELECT sensor_id, max(ts) AS ts FROM twin_reading WHERE ts <= @at GROUP BY sensor_id) latest
              ON latest.sensor_id = r.sensor_id AND latest.ts = r.ts
            """;
        var result = new Dictionary<string, HistoryReading>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, ("at", time.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var reading = Read(reader);
            // Two readings of one sensor at the same instant: the later received wins, as it did live.
            if (!result.TryGetValue(reading.SensorId, out var other) || other.ReceivedMs <= reading.ReceivedMs)
            {
                result[reading.SensorId] = reading;
            }
        }
        return result;
    }

    /// <summary>A sensor's readings in batches committed after a time, oldest batch first: what a grain may have to catch up on.</summary>
    public async Task<List<HistoryReading>> CommittedAfterAsync(string sensorId, long committedAfterMs, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT sensor_id, ts, writer, received, payload FROM twin_reading
            WHERE sensor_id = @sensor AND received > @after
            ORDER BY received, writer
            """;
        var readings = new List<HistoryReading>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, ("sensor", sensorId), ("after", committedAfterMs));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            readings.Add(Read(reader));
        }
        return readings;
    }

    /// <summary>Reads a row of (sensor_id, ts, writer, received, payload).</summary>
    private static HistoryReading Read(DbDataReader reader) => new(
        reader.GetString(0),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(4)) ?? [],
        new HistoryBatch(reader.GetInt32(2), reader.GetInt64(3)));

    private static readonly Column[] ReadingColumns =
    [
        new("sensor_id", NpgsqlDbType.Text, SqliteType.Text), new("ts", NpgsqlDbType.Bigint, SqliteType.Integer),
        new("writer", NpgsqlDbType.Integer, SqliteType.Integer), new("received", NpgsqlDbType.Bigint, SqliteType.Integer),
        new("payload", NpgsqlDbType.Jsonb, SqliteType.Text),
    ];

    private static readonly Column[] KpiColumns =
    [
        new("entity_id", NpgsqlDbType.Text, SqliteType.Text), new("ts", NpgsqlDbType.Bigint, SqliteType.Integer),
        new("name", NpgsqlDbType.Text, SqliteType.Text), new("value", NpgsqlDbType.Double, SqliteType.Real),
    ];

    private Task WriteAsync(IEnumerable<(string SensorId, Reading Reading, HistoryBatch Batch)> readings, CancellationToken cancellationToken) =>
        BulkInsertAsync("twin_reading", ReadingColumns, readings.Select(r => new object[]
        {
            r.SensorId, r.Reading.Timestamp.ToUnixTimeMilliseconds(), r.Batch.Writer, r.Batch.CommittedMs, JsonSerializer.Serialize(r.Reading.Values),
        }), cancellationToken);

    private Task WriteKpiRowsAsync(IEnumerable<KpiPoint> points, CancellationToken cancellationToken) =>
        BulkInsertAsync("twin_kpi", KpiColumns, points.Select(p => new object[]
        {
            p.EntityId, p.Time.ToUnixTimeMilliseconds(), p.Name, p.Value,
        }), cancellationToken);

    private sealed record Column(string Name, NpgsqlDbType PostgresType, SqliteType SqliteType);

    /// <summary>Rows in one go: COPY on PostgreSQL, one transaction of a prepared INSERT on SQLite.</summary>
    private async Task BulkInsertAsync(string table, Column[] columns, IEnumerable<object[]> rows, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        if (_postgres is not null)
        {
            await using var connection = await _postgres.OpenConnectionAsync(cancellationToken);
            await using var import = await connection.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", cancellationToken);
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
        await _sqliteWriteGate!.WaitAsync(cancellationToken);
        try
        {
            await InsertSqliteAsync(table, columns, rows, names, cancellationToken);
        }
        finally
        {
            _sqliteWriteGate.Release();
        }
    }

    private async Task InsertSqliteAsync(string table, Column[] columns, IEnumerable<object[]> rows, string names, CancellationToken cancellationToken)
    {
        await using var sqlite = (SqliteConnection)await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await sqlite.BeginTransactionAsync(cancellationToken);
        await using var insert = sqlite.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        var parameters = columns.Select((c, i) => insert.Parameters.Add($"$p{i}", c.SqliteType)).ToArray();
        insert.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = row[i];
            }
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
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

    public static IServiceCollection Register(IServiceCollection services, TwinHostingOptions hosting)
    {
        if (services.Any(s => s.ServiceType == typeof(ReadingHistory)))
        {
            return services;
        }
        services.AddSingleton(sp => new ReadingHistory(hosting, sp.GetRequiredService<ILogger<ReadingHistory>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ReadingHistory>());
        return services;
    }

    private sealed record PendingAppend(IReadOnlyList<(string SensorId, Reading Reading)> Readings, TaskCompletionSource<HistoryBatch> Stored);
}
