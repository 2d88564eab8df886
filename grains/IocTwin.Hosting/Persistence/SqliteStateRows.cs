using IocTwin.History;
using Microsoft.Data.Sqlite;

namespace IocTwin.Persistence;

/// <summary>A grain state's row to write: its key, its payload, and the version its ETag names (null: no row yet).</summary>
internal readonly record struct StateRowWrite(AdoGrainRowKey Key, byte[] Payload, int? Version);

/// <summary>
/// Writes grain states into the ADO.NET provider's SQLite table a group per transaction, each row as the provider's
/// WriteToStorageKey writes it: a row at the version the grain's ETag names moves on one version, a grain with no ETag gets
/// a new row at version 1, and a write whose row has moved on (or is already there) changes nothing and is refused.
/// </summary>
/// <remarks>
/// Kept beside the provider's own write, which opens a connection, parses its statements and commits once per grain: a
/// city of 500,000 sensors checkpointing every five minutes asks for about 1,700 such writes a second, and the one SQLite
/// writer took 1,000–1,400 a second that way while its queue grew. Here a group shares one transaction and two prepared
/// statements.
/// </remarks>
internal sealed class SqliteStateRows(string connectionString, string serviceId)
{
    private const string Update = """
        UPDATE OrleansStorage
        SET PayloadBinary = ?1,
            ModifiedOn = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
            Version = CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END
        WHERE GrainIdHash = ?2 AND GrainTypeHash = ?3 AND GrainIdN0 = ?4 AND GrainIdN1 = ?5
          AND ServiceId = ?6 AND GrainTypeString = ?7 AND GrainIdExtensionString IS ?8 AND Version = ?9
        RETURNING Version;
        """;

    private const string Insert = """
        INSERT INTO OrleansStorage
            (PayloadBinary, GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, GrainIdExtensionString,
             ModifiedOn, Version)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1)
        ON CONFLICT DO NOTHING
        RETURNING Version;
        """;

    /// <summary>The new version of each row, in order; null where the write was refused. Call with the file's write gate held.</summary>
    public int?[] Write(IReadOnlyList<StateRowWrite> rows)
    {
        using var connection = OpenForWrites(connectionString);
        var updates = new List<int>();
        var inserts = new List<int>();
        for (var i = 0; i < rows.Count; i++)
        {
            (rows[i].Version is null ? inserts : updates).Add(i);
        }
        using var transaction = connection.BeginTransaction();
        var updated = BulkInsert.SqliteReturning(connection, Update, [.. updates.Select(i => Values(rows[i]))]);
        var inserted = BulkInsert.SqliteReturning(connection, Insert, [.. inserts.Select(i => Values(rows[i]))]);
        transaction.Commit();
        var versions = new int?[rows.Count];
        for (var u = 0; u < updates.Count; u++)
        {
            versions[updates[u]] = (int?)updated[u];
        }
        for (var n = 0; n < inserts.Count; n++)
        {
            versions[inserts[n]] = (int?)inserted[n];
        }
        return versions;
    }

    /// <summary>A connection to write the provider's rows on, synced as the provider's own writes are.</summary>
    public static SqliteConnection OpenForWrites(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // As the provider's own writes do (0001-persistence.sql): the log is synced at checkpoints.
        pragma.CommandText = "PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private object?[] Values(StateRowWrite row)
    {
        var key = row.Key;
        object?[] values = [row.Payload, key.IdHash, key.TypeHash, key.N0, key.N1, serviceId, key.StateName, key.Extension];
        return row.Version is { } version ? [.. values, version] : values;
    }
}
