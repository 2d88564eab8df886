using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace IocTwin.Persistence;

/// <summary>A grain state's row as the provider reads it: the payload (null once cleared) and its version (the ETag).</summary>
internal sealed record StoredStateRow(byte[]? Payload, int Version);

/// <summary>
/// Reads many grain states' rows from the ADO.NET provider's table in one statement: the rows whose id hashes are
/// asked for, matched to the requests on every key column the provider's own read compares (ReadFromStorageKey in
/// Persistence/Sql), so each request gets exactly the row the provider would have read, or none.
/// </summary>
internal sealed class SqlGrainStateReader(StorageKind storage, string connectionString, string serviceId)
{
    private const string Columns = "GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, PayloadBinary, Version";

    public async Task<IReadOnlyList<StoredStateRow?>> ReadAsync(IReadOnlyList<AdoGrainRowKey> keys)
    {
        var idHashes = keys.Select(k => k.IdHash).Distinct().ToArray();
        var typeHashes = keys.Select(k => k.TypeHash).Distinct().ToArray();
        var found = storage == StorageKind.PostgreSql
            ? await ReadPostgreSqlAsync(idHashes, typeHashes)
            // Off the caller's thread: Microsoft.Data.Sqlite runs synchronously underneath. Reads run beside the
            // single writer in WAL mode, so they take no write gate.
            : await Task.Run(() => ReadSqlite(idHashes, typeHashes));
        return [.. keys.Select(k => found.GetValueOrDefault(k with { TypeHash = 0 }))];
    }

    private async Task<Dictionary<AdoGrainRowKey, StoredStateRow>> ReadPostgreSqlAsync(int[] idHashes, int[] typeHashes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand($"""
            SELECT {Columns} FROM OrleansStorage
            WHERE GrainIdHash = ANY(@idHashes) AND GrainTypeHash = ANY(@typeHashes) AND ServiceId = @serviceId
            """, connection);
        select.Parameters.Add(new NpgsqlParameter<int[]>("idHashes", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = idHashes });
        select.Parameters.Add(new NpgsqlParameter<int[]>("typeHashes", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = typeHashes });
        select.Parameters.AddWithValue("serviceId", serviceId);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new Dictionary<AdoGrainRowKey, StoredStateRow>();
        while (await reader.ReadAsync())
        {
            Add(rows, reader);
        }
        return rows;
    }

    private Dictionary<AdoGrainRowKey, StoredStateRow> ReadSqlite(int[] idHashes, int[] typeHashes)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var select = connection.CreateCommand();
        // SQLite has no array parameter: one numbered parameter per hash (a group stays far below its 32,766 limit).
        var ids = string.Join(", ", idHashes.Select((_, i) => $"@i{i}"));
        var types = string.Join(", ", typeHashes.Select((_, i) => $"@t{i}"));
        select.CommandText = $"SELECT {Columns} FROM OrleansStorage WHERE GrainIdHash IN ({ids}) AND GrainTypeHash IN ({types}) AND ServiceId = @serviceId";
        for (var i = 0; i < idHashes.Length; i++)
        {
            select.Parameters.AddWithValue($"@i{i}", idHashes[i]);
        }
        for (var i = 0; i < typeHashes.Length; i++)
        {
            select.Parameters.AddWithValue($"@t{i}", typeHashes[i]);
        }
        select.Parameters.AddWithValue("@serviceId", serviceId);
        using var reader = select.ExecuteReader();
        var rows = new Dictionary<AdoGrainRowKey, StoredStateRow>();
        while (reader.Read())
        {
            Add(rows, reader);
        }
        return rows;
    }

    /// <summary>
    /// Keyed by every column the provider's read compares (the type hash follows from the state name): rows whose
    /// hashes merely collide with a requested one are told apart here.
    /// </summary>
    private static void Add(Dictionary<AdoGrainRowKey, StoredStateRow> rows, DbDataReader reader)
    {
        var key = new AdoGrainRowKey(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), 0, reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4));
        rows[key] = new StoredStateRow(reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5), reader.GetInt32(6));
    }
}
