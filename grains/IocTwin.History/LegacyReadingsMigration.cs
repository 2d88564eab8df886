using System.Buffers;
using System.Data.Common;
using System.Text.Json;
using IocTwin.Model;
using IocTwin.Persistence;

namespace IocTwin.History;

/// <summary>
/// Readings kept one row each by earlier versions of the twin (table twin_reading, values as JSON) moved into
/// per-sensor blocks, then the table dropped. Code, not a script: blocks are binary (<see cref="HistoryCodec"/>).
/// Runs once, in the schema installer's transaction, before any store of this version reads history.
/// </summary>
internal static class LegacyReadingsMigration
{
    // Rows taken per step, so that a large table moves in steps that fit in memory.
    private const int RowsPerStep = 50_000;

    public static async Task ApplyAsync(DbConnection connection, DbTransaction transaction, StorageKind kind, CancellationToken cancellationToken)
    {
        var sqlite = kind == StorageKind.Sqlite;
        await using (var exists = Command(connection, transaction, sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'twin_reading'"
            : "SELECT count(*) FROM pg_tables WHERE tablename = 'twin_reading' AND schemaname = current_schema()"))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken)) == 0)
            {
                return;
            }
        }
        var take = sqlite
            ? $"DELETE FROM twin_reading WHERE rowid IN (SELECT rowid FROM twin_reading LIMIT {RowsPerStep}) RETURNING sensor_id, ts, writer, received, payload"
            : $"DELETE FROM twin_reading WHERE ctid = ANY(ARRAY(SELECT ctid FROM twin_reading LIMIT {RowsPerStep})) RETURNING sensor_id, ts, writer, received, payload::text";
        while (await MoveStepAsync(connection, transaction, take, cancellationToken) > 0)
        {
        }
        await using var drop = Command(connection, transaction, "DROP TABLE twin_reading");
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> MoveStepAsync(DbConnection connection, DbTransaction transaction, string take, CancellationToken cancellationToken)
    {
        using var entries = new EntriesBySensor();
        await using (var command = Command(connection, transaction, take))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(4)) ?? [];
                entries.Add(new StoredEntry(reader.GetString(0), reader.GetInt64(1),
                    new HistoryBatch(reader.GetInt32(2), reader.GetInt64(3)), HistoryCodec.EncodeValues(values)));
            }
        }
        if (entries.Count == 0)
        {
            return 0;
        }
        var blocks = BlockWriter.ToBlocks(entries, out var encoded);
        try
        {
            await BlockWriter.InsertAsync(connection, blocks, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
        return entries.Count;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = HistoryDb.Command(connection, sql);
        command.Transaction = transaction;
        return command;
    }
}
