using System.Data;
using System.Data.Common;
using IocTwin.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IocTwin.History;

/// <summary>
/// The history database, and where SQLite and PostgreSQL differ in reaching it: connections, write transactions (on
/// SQLite behind the file's write gate), read snapshots, and the statements written differently in each.
/// </summary>
internal sealed class HistoryDb : IDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;
    // Shared with every other writer of the history file in this process.
    private readonly SemaphoreSlim? _sqliteWriteGate;

    public HistoryDb(HistoryDatabase database)
    {
        IsSqlite = database.IsSqlite;
        _connectionString = database.ConnectionString;
        _postgres = IsSqlite ? null : NpgsqlDataSource.Create(_connectionString);
        _sqliteWriteGate = IsSqlite ? SqliteWriteGate.For(_connectionString) : null;
    }

    public bool IsSqlite { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>A write transaction; on SQLite behind the file's write gate.</summary>
    public async Task<T> WriteTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken)
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
    public async Task<T> ReadSnapshotAsync<T>(Func<DbConnection, DbTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using DbTransaction transaction = connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        return await read(connection, transaction);
    }

    /// <summary>Deletes appended rows by id: a literal list on SQLite (no array parameters), an array on PostgreSQL.</summary>
    public static DbCommand DeleteAppendedRows(DbConnection connection, IReadOnlyCollection<long> ids) => connection is SqliteConnection
        ? Command(connection, $"DELETE FROM twin_reading_appended WHERE id IN ({string.Join(", ", ids)})")
        : Command(connection, "DELETE FROM twin_reading_appended WHERE id = ANY(@ids)", ("ids", ids.ToArray()));

    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters) =>
        connection.Command(sql, parameters);

    public void Dispose() => _postgres?.Dispose();
}
