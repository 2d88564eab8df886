using System.Data.Common;
using IocTwin.History;
using IocTwin.Hosting;
using IocTwin.Model;
using IocTwin.Persistence;
using IocTwin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IocTwin.Tests.Persistence;

/// <summary>The schema is versioned: each migration is applied once, in order, and recorded in the database it went to.</summary>
public sealed class SchemaMigrationTests
{
    public static TheoryData<string> Databases => ["Sqlite", "PostgreSql"];

    /// <summary>A twin on an empty database: on SQLite a state file and a history file, on PostgreSQL a schema of its own.</summary>
    private static async Task<TwinHostingOptions> EmptyTwin(string database) => database == "Sqlite"
        ? new TwinHostingOptions { ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "twin.db")}" }
        : new TwinHostingOptions { Storage = StorageKind.PostgreSql, ConnectionString = await PostgresDatabase.FreshSchemaAsync("migrate") };

    private static DbConnection Open(TwinHostingOptions hosting, string connectionString) =>
        hosting.Storage == StorageKind.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);

    private static async Task<List<string>> Strings(TwinHostingOptions hosting, string connectionString, string sql)
    {
        await using var connection = Open(hosting, connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(0))!);
        }
        return rows;
    }

    private static async Task Execute(TwinHostingOptions hosting, string connectionString, string sql)
    {
        await using var connection = Open(hosting, connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static Task<List<string>> Versions(TwinHostingOptions hosting, string connectionString) =>
        Strings(hosting, connectionString, "SELECT script FROM twin_schema_version ORDER BY script");

    private static async Task<bool> TableExists(TwinHostingOptions hosting, string connectionString, string table) =>
        (await Strings(hosting, connectionString, hosting.Storage == StorageKind.Sqlite
            ? $"SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
            : $"SELECT tablename FROM pg_tables WHERE tablename = '{table}' AND schemaname = current_schema()")).Count > 0;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Migrations_are_applied_in_order_and_recorded_and_a_second_start_applies_none(string database)
    {
        var hosting = await EmptyTwin(database);

        var first = await SchemaInstaller.ApplyAsync(hosting);
        var second = await SchemaInstaller.ApplyAsync(hosting);

        Assert.Equal(["0001-persistence", "0003-history", "0004-audit", "0005-kpi-non-finite", "0006-legacy-readings"], first.Order());
        Assert.Empty(second);
        if (database == "Sqlite")
        {
            // The history file is a database of its own, with its own record of what it took.
            Assert.Equal(["0001-persistence", "0004-audit", "0003-history", "0005-kpi-non-finite", "0006-legacy-readings"], first);
            Assert.Equal(["0001-persistence", "0004-audit"], await Versions(hosting, hosting.ConnectionString));
            Assert.Equal(["0003-history", "0005-kpi-non-finite", "0006-legacy-readings"], await Versions(hosting, hosting.HistoryConnection));
            Assert.False(await TableExists(hosting, hosting.ConnectionString, "twin_reading_block"));
        }
        else
        {
            Assert.Equal(first, await Versions(hosting, hosting.ConnectionString));
        }
    }

    [Fact]
    public async Task Silos_starting_together_apply_each_migration_once()
    {
        var hosting = await EmptyTwin("PostgreSql");

        var applied = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => SchemaInstaller.ApplyAsync(hosting))));

        Assert.Equal(await Versions(hosting, hosting.ConnectionString), applied.SelectMany(a => a).Order());
        Assert.Single(applied, a => a.Count > 0);
    }

    [Fact]
    public async Task Cluster_membership_comes_with_its_migration_when_clustering_is_first_used()
    {
        var hosting = await EmptyTwin("PostgreSql");
        await SchemaInstaller.ApplyAsync(hosting);
        // Unquoted names: PostgreSQL keeps them in lower case.
        Assert.False(await TableExists(hosting, hosting.ConnectionString, "orleansmembershiptable"));

        hosting.Clustering = ClusteringKind.AdoNet;

        Assert.Equal(["0002-clustering"], await SchemaInstaller.ApplyAsync(hosting));
        Assert.True(await TableExists(hosting, hosting.ConnectionString, "orleansmembershiptable"));
        Assert.Empty(await SchemaInstaller.ApplyAsync(hosting));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_database_made_before_versions_were_recorded_keeps_its_data_and_gets_every_migration_recorded(string database)
    {
        var hosting = await EmptyTwin(database);
        await MakeAsBeforeVersions(hosting);
        var sensor = "s-" + Guid.NewGuid().ToString("N")[..8];
        var t0 = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        using (var audit = new AuditStore(hosting))
        {
            await audit.AppendAsync(new AuditEntry(t0, "operator", "ioc", "alert-rule.put", "aqi-unhealthy", null));
        }
        HistoryBatch appended;
        using (var before = new ReadingHistory(hosting.History, NullLogger<ReadingHistory>.Instance))
        {
            await before.StartAsync(CancellationToken.None);
            appended = await before.AppendAsync([(sensor, new Reading(t0.AddMinutes(1), new Dictionary<string, double>() { ["aqi"] = 90 }))]);
            await before.StopAsync(CancellationToken.None);
        }
        // Readings the one-row-per-reading table of still earlier versions held, not yet moved into blocks.
        await Execute(hosting, hosting.HistoryConnection, $$"""
            CREATE TABLE twin_reading (sensor_id TEXT NOT NULL, ts BIGINT NOT NULL, writer INTEGER NOT NULL, received BIGINT NOT NULL, payload TEXT NOT NULL);
            INSERT INTO twin_reading VALUES ('{{sensor}}', {{t0.ToUnixTimeMilliseconds()}}, 7, 1000, '{"aqi":60}');
            INSERT INTO twin_kpi (entity_id, ts, name, value) VALUES ('d-1', {{t0.ToUnixTimeMilliseconds()}}, 'worstAqi', 90);
            """);

        var applied = await SchemaInstaller.ApplyAsync(hosting);

        Assert.Equal(["0001-persistence", "0003-history", "0004-audit", "0005-kpi-non-finite", "0006-legacy-readings"], applied.Order());
        var recorded = await Versions(hosting, hosting.ConnectionString);
        if (hosting.HistoryConnection != hosting.ConnectionString)
        {
            recorded.AddRange(await Versions(hosting, hosting.HistoryConnection));
        }
        Assert.Equal(applied.Order(), recorded.Order());
        Assert.Empty(await SchemaInstaller.ApplyAsync(hosting));
        Assert.False(await TableExists(hosting, hosting.HistoryConnection, "twin_reading"));
        Assert.False(await TableExists(hosting, hosting.HistoryConnection, "twin_repair"));
        using (var audit = new AuditStore(hosting))
        {
            Assert.Equal("alert-rule.put", Assert.Single(await audit.QueryAsync(new AuditQuery(null, null, "operator", null, 10))).Action);
        }
        using var history = new ReadingHistory(hosting.History, NullLogger<ReadingHistory>.Instance);
        var readings = await history.CommittedAfterAsync(sensor, 0);
        Assert.Equal([new HistoryBatch(7, 1000), appended], readings.Select(r => r.Batch));
        Assert.Equal([60.0, 90.0], readings.Select(r => r.Values["aqi"]));
        var kpis = await history.QueryKpisAsync("d-1", t0, t0.AddHours(1), TimeSpan.FromHours(1));
        Assert.Equal(90, Assert.Single(kpis).Values["worstAqi"].Max);
    }

    /// <summary>
    /// The database as versions before this one left it: the same tables, made by the scripts of migrations 0001–0004
    /// (their statements are unchanged), with no version table, and the repair marked in a table of its own.
    /// </summary>
    private static async Task MakeAsBeforeVersions(TwinHostingOptions hosting)
    {
        var separateHistory = hosting.HistoryConnection != hosting.ConnectionString;
        var scripts = SchemaInstaller.Migrations.Where(m => string.CompareOrdinal(m.Name, "0005") < 0 && m.Part != SchemaPart.Clustering);
        foreach (var migration in scripts)
        {
            var connectionString = separateHistory && migration.Part == SchemaPart.History ? hosting.HistoryConnection : hosting.ConnectionString;
            if (hosting.Storage == StorageKind.Sqlite)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(new SqliteConnectionStringBuilder(connectionString).DataSource)!);
            }
            await using var connection = Open(hosting, connectionString);
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await migration.ApplyAsync(connection, transaction, hosting.Storage, CancellationToken.None);
            await transaction.CommitAsync();
        }
        await Execute(hosting, hosting.HistoryConnection, """
            CREATE TABLE twin_repair (name TEXT PRIMARY KEY, applied BIGINT NOT NULL);
            INSERT INTO twin_repair (name, applied) VALUES ('kpi-non-finite', 1);
            """);
    }
}
