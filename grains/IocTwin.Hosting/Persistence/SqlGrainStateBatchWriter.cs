using System.Data.Common;
using IocTwin.History;
using IocTwin.Topology;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Storage;

namespace IocTwin.Persistence;

/// <summary>
/// Writes a batch of grain states straight into the ADO.NET provider's table, in one transaction: the rows the
/// provider itself would write (its hashes, key columns, serializer and first version), so a grain activated later
/// reads them as its own. A row that is already there (an earlier import stopped half way) is replaced and its
/// version moved on, as the grain's own write would. Grains whose rows are written here must not be active: the
/// import sends only entities the twin does not hold, and unknown ids never activate grains.
/// </summary>
internal sealed class SqlGrainStateBatchWriter(
    StorageKind storage, string connectionString, AdoNetGrainStorageOptions options, AdoGrainRowKeys keys)
    : IGrainStateBatchWriter
{
    public async Task WriteAsync(IReadOnlyList<GrainStateRow> rows, CancellationToken cancellationToken = default)
    {
        var keyed = rows.Select(KeyOf).ToList();
        if (storage == StorageKind.PostgreSql)
        {
            await WritePostgreSqlAsync(keyed, cancellationToken);
            return;
        }
        // SQLite takes one writer: queue behind the grains' own writes rather than meet a locked file.
        var gate = SqliteWriteGate.For(connectionString);
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Off the caller's scheduler: Microsoft.Data.Sqlite runs synchronously underneath.
            await Task.Run(() => WriteSqlite(keyed), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed record KeyedRow(int IdHash, long N0, long N1, int TypeHash, string StateName, string? Extension, byte[] Payload);

    private KeyedRow KeyOf(GrainStateRow row)
    {
        var key = keys.Of(row.StateName, row.GrainId);
        return new KeyedRow(key.IdHash, key.N0, key.N1, key.TypeHash, key.StateName, key.Extension,
            AdoGrainRowKeys.PayloadOf(row.Serialize(options.GrainStorageSerializer)));
    }

    /// <summary>
    /// As the provider writes a row, with the key columns bound straight to one prepared statement stepped per row
    /// (<see cref="BulkInsert.SqliteRows"/>); an existing row is replaced and its version moved on.
    /// </summary>
    private const string SqliteUpsert = """
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
             ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1)
        ON CONFLICT DO UPDATE SET
            PayloadBinary = excluded.PayloadBinary,
            ModifiedOn = excluded.ModifiedOn,
            Version = CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END;
        """;

    private void WriteSqlite(List<KeyedRow> rows)
    {
        using var connection = SqliteStateRows.OpenForWrites(connectionString);
        using var transaction = connection.BeginTransaction();
        BulkInsert.SqliteRows(connection, SqliteUpsert, rows.Select(row => new object?[]
        {
            row.IdHash, row.N0, row.N1, row.TypeHash, row.StateName, row.Extension, keys.ServiceId, row.Payload,
        }));
        transaction.Commit();
    }

    /// <summary>One statement for the whole batch: the columns go as arrays and come back as rows through unnest.</summary>
    private async Task WritePostgreSqlAsync(List<KeyedRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO OrleansStorage
                (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
                 ServiceId, PayloadBinary, Version)
            SELECT r.idHash, r.n0, r.n1, r.typeHash, r.type, r.extension, @serviceId, r.payload, 1
            FROM unnest(@idHash, @n0, @n1, @typeHash, @type, @extension, @payload) AS r(idHash, n0, n1, typeHash, type, extension, payload)
            ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
                         (COALESCE(md5(GrainIdExtensionString), '')))
            DO UPDATE SET
                PayloadBinary = EXCLUDED.PayloadBinary,
                ModifiedOn = now(),
                Version = CASE WHEN OrleansStorage.Version >= 2147483647 THEN 1 ELSE OrleansStorage.Version + 1 END
            """, connection, transaction);
        insert.Parameters.AddWithValue("serviceId", keys.ServiceId);
        insert.Parameters.Add(new NpgsqlParameter<int[]>("idHash", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. rows.Select(r => r.IdHash)] });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("n0", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. rows.Select(r => r.N0)] });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("n1", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. rows.Select(r => r.N1)] });
        insert.Parameters.Add(new NpgsqlParameter<int[]>("typeHash", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. rows.Select(r => r.TypeHash)] });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("type", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. rows.Select(r => r.StateName)] });
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("extension", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. rows.Select(r => r.Extension)] });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]>("payload", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = [.. rows.Select(r => r.Payload)] });
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
