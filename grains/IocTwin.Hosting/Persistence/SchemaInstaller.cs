using System.Data.Common;
using System.Reflection;
using IocTwin.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IocTwin.Persistence;


/// <summary>
/// Creates the tables and <c>OrleansQuery</c> rows that Orleans' ADO.NET grain storage and
/// clustering expect (the Orleans packages ship no scripts). Safe to run at every start, and
/// from several processes at once.
/// </summary>
public static class SchemaInstaller
{
    /// <summary>ADO.NET invariant for SQLite; Orleans 10 serves it with Microsoft.Data.Sqlite.</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    public const string PostgreSqlInvariant = "Npgsql";

    // Scripts split into statements at lines reading exactly "-- go" (query texts contain ';').
    private const string StatementSeparator = "-- go";

    // Key of the PostgreSQL advisory lock that serialises concurrent installers ("IocTwin" in ASCII).
    private const long PostgreSqlLockKey = 0x496F635477696E;

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

    /// <summary>The schema of a twin: state (and clustering) in its database, history in its own where it has one.</summary>
    public static async Task ApplyAsync(TwinHostingOptions hosting, CancellationToken cancellationToken = default)
    {
        var kind = hosting.Storage;
        var separateHistory = hosting.HistoryConnection != hosting.ConnectionString;
        await ApplyToAsync(kind, hosting.ConnectionString, hosting.Clustering == ClusteringKind.AdoNet, includeHistory: !separateHistory, cancellationToken);
        if (separateHistory)
        {
            await ApplyGatedAsync(kind, hosting.HistoryConnection, [$"{Folder(kind)}/history.sql"], cancellationToken);
        }
    }

    /// <summary>Applies the grain-storage and history schemas to one database and, if asked, the cluster-membership schema.</summary>
    public static Task ApplyAsync(StorageKind kind, string connectionString, bool includeClustering,
        CancellationToken cancellationToken = default) =>
        ApplyToAsync(kind, connectionString, includeClustering, includeHistory: true, cancellationToken);

    private static async Task ApplyToAsync(StorageKind kind, string connectionString, bool includeClustering, bool includeHistory,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (includeClustering && kind != StorageKind.PostgreSql)
        {
            throw new NotSupportedException("ADO.NET clustering is only provided for PostgreSQL.");
        }

        List<string> scripts = [$"{Folder(kind)}/persistence.sql", $"{Folder(kind)}/audit.sql"];
        if (includeHistory)
        {
            scripts.Add($"{Folder(kind)}/history.sql");
        }
        if (includeClustering)
        {
            scripts.Add("postgresql/clustering.sql");
        }

        await ApplyGatedAsync(kind, connectionString, scripts, cancellationToken);
    }

    private static string Folder(StorageKind kind) => kind == StorageKind.Sqlite ? "sqlite" : "postgresql";

    private static async Task ApplyGatedAsync(StorageKind kind, string connectionString, List<string> scripts, CancellationToken cancellationToken)
    {
        // On SQLite the schema is one more writer to the file: it takes its turn with the others in this process.
        var gate = kind == StorageKind.Sqlite ? SqliteWriteGate.For(connectionString) : null;
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }
        try
        {
            await ApplyScriptsAsync(kind, connectionString, scripts, cancellationToken);
        }
        finally
        {
            gate?.Release();
        }
    }

    private static async Task ApplyScriptsAsync(StorageKind kind, string connectionString, List<string> scripts, CancellationToken cancellationToken)
    {
        await using var connection = kind == StorageKind.Sqlite
            ? await OpenSqliteAsync(connectionString, cancellationToken)
            : await OpenPostgreSqlAsync(connectionString, cancellationToken);

        // All or nothing: a failed start leaves no half-made schema behind.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (kind == StorageKind.PostgreSql)
        {
            // CREATE ... IF NOT EXISTS is not safe against a concurrent CREATE; silos starting
            // together queue here instead. Released at commit.
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgreSqlLockKey})", cancellationToken);
        }
        foreach (var script in scripts)
        {
            foreach (var statement in SplitStatements(ReadScript(script)))
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
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
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadScript(string relativePath)
    {
        // Manifest names follow the folder layout under the root namespace, e.g.
        // "IocTwin.Persistence.Sql.postgresql.persistence.sql".
        var name = "IocTwin.Persistence.Sql." + relativePath.Replace('/', '.');
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded SQL script '{name}' not found.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static IEnumerable<string> SplitStatements(string script)
    {
        var current = new List<string>();
        foreach (var line in script.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.Trim().Equals(StatementSeparator, StringComparison.OrdinalIgnoreCase))
            {
                if (HasSql(current)) yield return string.Join('\n', current);
                current.Clear();
            }
            else
            {
                current.Add(line);
            }
        }
        if (HasSql(current)) yield return string.Join('\n', current);
    }

    // Chunks holding only comments or blank lines are skipped.
    private static bool HasSql(List<string> lines) =>
        lines.Any(l => l.Trim() is { Length: > 0 } t && !t.StartsWith("--", StringComparison.Ordinal));
}
