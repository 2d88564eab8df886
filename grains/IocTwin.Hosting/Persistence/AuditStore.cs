using System.Data.Common;
using System.Text;
using IocTwin.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IocTwin.Persistence;

/// <summary>One change an operator made: who (name and role), what (action and target) and when.</summary>
public sealed record AuditEntry(DateTimeOffset Time, string Actor, string Role, string Action, string Target, string? Detail);

/// <summary>Entries from (inclusive) to (exclusive), of one actor and one action when given, newest first.</summary>
public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Action, int Limit);

/// <summary>
/// The audit log in the twin's state database (table <c>twin_audit</c>, created by <see cref="SchemaInstaller"/>),
/// on SQLite or PostgreSQL. An entry is durable when <see cref="AppendAsync"/> completes.
/// </summary>
public sealed class AuditStore : IDisposable
{
    private readonly DbDataSource _database;
    // Shared with every other writer of the state file in this process.
    private readonly SemaphoreSlim? _sqliteWriteGate;

    public AuditStore(TwinHostingOptions hosting)
    {
        var sqlite = hosting.Storage == StorageKind.Sqlite;
        _database = sqlite ? SqliteFactory.Instance.CreateDataSource(hosting.ConnectionString) : NpgsqlDataSource.Create(hosting.ConnectionString);
        _sqliteWriteGate = sqlite ? SqliteWriteGate.For(hosting.ConnectionString) : null;
    }

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        if (_sqliteWriteGate is not null)
        {
            await _sqliteWriteGate.WaitAsync(cancellationToken);
        }
        try
        {
            await using var connection = await _database.OpenConnectionAsync(cancellationToken);
            await using var command = Command(connection,
                "INSERT INTO twin_audit (ts, actor, role, action, target, detail) VALUES (@ts, @actor, @role, @action, @target, @detail)",
                ("ts", entry.Time.ToUnixTimeMilliseconds()), ("actor", entry.Actor), ("role", entry.Role), ("action", entry.Action),
                ("target", entry.Target), ("detail", (object?)entry.Detail ?? DBNull.Value));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _sqliteWriteGate?.Release();
        }
    }

    public async Task<List<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var sql = new StringBuilder("SELECT ts, actor, role, action, target, detail FROM twin_audit WHERE ts >= @from AND ts < @to");
        List<(string, object)> parameters =
        [
            ("from", query.From?.ToUnixTimeMilliseconds() ?? long.MinValue),
            ("to", query.To?.ToUnixTimeMilliseconds() ?? long.MaxValue),
            ("limit", (long)query.Limit),
        ];
        if (query.Actor is not null)
        {
            sql.Append(" AND actor = @actor");
            parameters.Add(("actor", query.Actor));
        }
        if (query.Action is not null)
        {
            sql.Append(" AND action = @action");
            parameters.Add(("action", query.Action));
        }
        sql.Append(" ORDER BY ts DESC, id DESC LIMIT @limit");
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, sql.ToString(), [.. parameters]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return entries;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddRange(Array.ConvertAll(parameters, p => Parameter(command, p.Name, p.Value)));
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        (parameter.ParameterName, parameter.Value) = (name, value);
        return parameter;
    }

    public void Dispose() => _database.Dispose();
}
