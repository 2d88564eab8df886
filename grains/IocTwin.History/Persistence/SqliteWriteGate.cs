using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace IocTwin.Persistence;

/// <summary>
/// One writer at a time per SQLite database file, across everything in the process that writes to it (grain state,
/// reading history, KPI history). SQLite itself takes one writer; a second connection that finds the file locked is
/// retried by Microsoft.Data.Sqlite with its thread asleep, 150 ms a try. Writers that queue here wait without a
/// thread and start the moment the file is free.
/// </summary>
public static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static SemaphoreSlim For(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var file = string.IsNullOrEmpty(dataSource) || dataSource.StartsWith(':') ? dataSource : Path.GetFullPath(dataSource);
        return Gates.GetOrAdd(file, _ => new SemaphoreSlim(1, 1));
    }
}
