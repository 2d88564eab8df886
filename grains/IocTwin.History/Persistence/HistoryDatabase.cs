namespace IocTwin.Persistence;

/// <summary>Where reading and KPI history live: on SQLite a file of its own, on PostgreSQL usually the twin's database.</summary>
public sealed record HistoryDatabase(StorageKind Storage, string ConnectionString)
{
    public bool IsSqlite => Storage == StorageKind.Sqlite;
}
