using System.Data.Common;
using IocTwin.History;
using IocTwin.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IocTwin.Persistence;

/// <summary>
/// Brings a twin's databases to the current schema: the tables and <c>OrleansQuery</c> rows that Orleans' ADO.NET
/// grain storage and clustering expect (the Orleans packages ship no scripts), the audit log and history. Migrations
/// not yet recorded in <c>twin_schema_version</c> are applied in the order of their numbers, in one transaction, and
/// recorded; a database made before versions were recorded takes the first scripts again (they are idempotent) and
/// has them recorded. Safe to run at every start, and from several processes at once.
/// </summary>
/// <remarks>
/// A small runner rather than DbUp: the versions must be read and the migrations applied under the PostgreSQL advisory
/// lock and the process's SQLite write gate, in one transaction with the code migration that moves an earlier
/// version's readings into blocks; DbUp opens its own connections and a transaction per script.
/// </remarks>
public static class SchemaInstaller
{
    /// <summary>ADO.NET invariant for SQLite; Orleans 10 serves it with Microsoft.Data.Sqlite.</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    public const string PostgreSqlInvariant = "Npgsql";

    // Key of the PostgreSQL advisory lock that serialises concurrent installers ("IocTwin" in ASCII).
    private const long PostgreSqlLockKey = 0x496F635477696E;

    /// <summary>Every migration, ordered by its number; each database takes those of its parts.</summary>
    public static IReadOnlyList<SchemaMigration> Migrations { get; } = InOrder(
    [
        SchemaMigration.Script("0001-persistence", SchemaPart.State, typeof(SchemaInstaller).Assembly),
        SchemaMigration.Script("0002-clustering", SchemaPart.Clustering, typeof(SchemaInstaller).Assembly),
        SchemaMigration.Script("0004-audit", SchemaPart.State, typeof(SchemaInstaller).Assembly),
        .. HistorySchema.Migrations,
    ]);

    /// <summary>
    /// Registers both invariants with <see cref="DbProviderFactories"/>. Orleans 10 does not need
    /// this (it loads Microsoft.Data.Sqlite / Npgsql by itself for these invariants); it is for any
    /// code that resolves providers by invariant name.
    /// </summary>
    public static void RegisterProviderFactories()
    {
        DbProviderFactories.RegisterFactory(SqliteInvariant, SqliteFactory.Instance);
        DbProviderFactories.RegisterFactory(PostgreSqlInvariant, NpgsqlFactory.Instance);
    }

    /// <summary>
    /// The schema of a twin: state (and clustering) in its database, history in its own where it has one (with a
    /// version table of its own). Returns the migrations applied now.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(TwinHostingOptions hosting, CancellationToken cancellationToken = default)
    {
        var kind = hosting.Storage;
        var separateHistory = hosting.HistoryConnection != hosting.ConnectionString;
        var applied = await ApplyToAsync(kind, hosting.ConnectionString, hosting.Clustering == ClusteringKind.AdoNet,
            includeHistory: !separateHistory, cancellationToken);
        if (separateHistory)
        {
            applied = [.. applied, .. await ApplyGatedAsync(kind, hosting.HistoryConnection, [SchemaPart.History], cancellationToken)];
        }
        return applied;
    }

    /// <summary>
    /// Applies the grain-storage and history schemas to one database and, if asked, the cluster-membership schema.
    /// Returns the migrations applied now.
    /// </summary>
    public static Task<IReadOnlyList<string>> ApplyAsync(StorageKind kind, string connectionString, bool includeClustering,
        CancellationToken cancellationToken = default) =>
        ApplyToAsync(kind, connectionString, includeClustering, includeHistory: true, cancellationToken);

    private static Task<IReadOnlyList<string>> ApplyToAsync(StorageKind kind, string connectionString, bool includeClustering,
        bool includeHistory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (includeClustering && kind != StorageKind.PostgreSql)
        {
            throw new NotSupportedException("ADO.NET clustering is only provided for PostgreSQL.");
        }
        List<SchemaPart> parts = [SchemaPart.State];
        if (includeHistory)
        {
            parts.Add(SchemaPart.History);
        }
        if (includeClustering)
        {
            parts.Add(SchemaPart.Clustering);
        }
        return ApplyGatedAsync(kind, connectionString, parts, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> ApplyGatedAsync(StorageKind kind, string connectionString, List<SchemaPart> parts,
        CancellationToken cancellationToken)
    {
        // On SQLite the schema is one more writer to the file: it takes its turn with the others in this process.
        var gate = kind == StorageKind.Sqlite ? SqliteWriteGate.For(connectionString) : null;
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }
        try
        {
            return await ApplyMigrationsAsync(kind, connectionString, parts, cancellationToken);
        }
        finally
        {
            gate?.Release();
        }
    }

    private static async Task<IReadOnlyList<string>> ApplyMigrationsAsync(StorageKind kind, string connectionString, List<SchemaPart> parts,
        CancellationToken cancellationToken)
    {
        await using var connection = kind == StorageKind.Sqlite
            ? await OpenSqliteAsync(connectionString, cancellationToken)
            : await OpenPostgreSqlAsync(connectionString, cancellationToken);

        // All or nothing: a failed start leaves no half-made schema behind, and no version recorded for it.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (kind == StorageKind.PostgreSql)
        {
            // CREATE ... IF NOT EXISTS is not safe against a concurrent CREATE, and two installers must not both find
            // a migration missing; silos starting together queue here instead. Released at commit.
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgreSqlLockKey})", cancellationToken);
        }
        await ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS twin_schema_version (script TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", cancellationToken);
        var recorded = await RecordedAsync(connection, transaction, cancellationToken);
        var applied = new List<string>();
        foreach (var migration in Migrations.Where(m => parts.Contains(m.Part) && !recorded.Contains(m.Name)))
        {
            await migration.ApplyAsync(connection, transaction, kind, cancellationToken);
            await ExecuteAsync(connection, transaction, "INSERT INTO twin_schema_version (script, applied_at) VALUES (@script, @applied)",
                cancellationToken, ("script", migration.Name), ("applied", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            applied.Add(migration.Name);
        }
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private static async Task<HashSet<string>> RecordedAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT script FROM twin_schema_version";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            recorded.Add(reader.GetString(0));
        }
        return recorded;
    }

    private static SchemaMigration[] InOrder(SchemaMigration[] migrations)
    {
        // The number is the order: two migrations of one number would leave it to chance.
        var numbers = migrations.Select(m => m.Name.Split('-')[0]).ToList();
        if (numbers.Distinct(StringComparer.Ordinal).Count() != numbers.Count)
        {
            throw new InvalidOperationException("Two schema migrations share a number: " + string.Join(", ", migrations.Select(m => m.Name)));
        }
        return [.. migrations.OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    private static async Task<DbConnection> OpenSqliteAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        if (builder.Mode != SqliteOpenMode.Memory && file is not ("" or ":memory:")
            && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // WAL lets readers run beside the single writer; the setting is stored in the database
        // file, so every later connection (Orleans' included) gets it. It cannot be changed
        // inside a transaction, hence here.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        return connection;
    }

    private static async Task<DbConnection> OpenPostgreSqlAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.Command(sql, parameters);
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
