using System.Data.Common;
using System.Reflection;

namespace IocTwin.Persistence;

/// <summary>Which database a migration belongs in.</summary>
public enum SchemaPart
{
    /// <summary>Grain state and the audit log: the twin's database.</summary>
    State,
    /// <summary>Cluster membership: the twin's database, on PostgreSQL with ADO.NET clustering only.</summary>
    Clustering,
    /// <summary>Readings and KPIs: the history database (on SQLite a file of its own).</summary>
    History,
}

/// <summary>
/// One step of a database's schema, applied once in the installer's transaction and recorded by name in
/// twin_schema_version. Names start with a number, and the installer applies them in that order.
/// </summary>
public sealed record SchemaMigration(string Name, SchemaPart Part, Func<DbConnection, DbTransaction, StorageKind, CancellationToken, Task> ApplyAsync)
{
    // Scripts split into statements at lines reading exactly "-- go" (query texts contain ';').
    private const string StatementSeparator = "-- go";

    /// <summary>
    /// A script embedded in <paramref name="assembly"/> as <c>Sql/{sqlite|postgresql}/{name}.sql</c>, one per database
    /// kind (a part for one kind only has no file for the other).
    /// </summary>
    public static SchemaMigration Script(string name, SchemaPart part, Assembly assembly) =>
        new(name, part, async (connection, transaction, kind, cancellationToken) =>
        {
            foreach (var statement in SplitStatements(ReadScript(assembly, kind, name)))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        });

    private static string ReadScript(Assembly assembly, StorageKind kind, string name)
    {
        // Manifest names follow the folder layout under the root namespace, e.g. "IocTwin.Sql.postgresql.0003-history.sql".
        var suffix = $".Sql.{(kind == StorageKind.Sqlite ? "sqlite" : "postgresql")}.{name}.sql";
        var resource = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(suffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Embedded SQL script '*{suffix}' not found in {assembly.GetName().Name}.");
        using var stream = assembly.GetManifestResourceStream(resource)!;
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
