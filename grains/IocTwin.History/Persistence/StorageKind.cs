namespace IocTwin.Persistence;

/// <summary>The database the twin keeps its state and history in.</summary>
public enum StorageKind
{
    /// <summary>An embedded SQLite file: nothing to install.</summary>
    Sqlite,
    PostgreSql,
}
