using Microsoft.Data.Sqlite;

namespace IocTwin.Persistence;

/// <summary>
/// Room for the pages a connection reads often. SQLite keeps 2 MB per connection unless told: a city of a million
/// sensors has a state table of some hundreds of MB and a history larger still, and grains activating all over it
/// read their rows through B-tree pages that no longer stay in 2 MB. Pooled connections keep the setting. The cache
/// fills only with pages read; no memory-mapped I/O (an I/O error on a mapped file would end the process).
/// </summary>
public static class SqlitePageCache
{
    /// <summary>KiB of page cache per connection (SQLite's own unit for a negative cache_size).</summary>
    public const int KiB = 64 * 1024;

    public static void Enlarge(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{KiB};";
        pragma.ExecuteNonQuery();
    }
}
