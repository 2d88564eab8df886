using System.Data.Common;
using IocTwin.Persistence;
using IocTwin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IocTwin.Tests.Persistence;

/// <summary>History written by earlier versions is repaired once, by a migration, when the schema is applied.</summary>
public sealed class HistoryRepairTests
{
    public static TheoryData<string> Databases => ["Sqlite", "PostgreSql"];

    private static async Task<(StorageKind Kind, string ConnectionString)> FreshDatabase(string database)
    {
        if (database == "Sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "repair.db");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            return (StorageKind.Sqlite, $"Data Source={file}");
        }
        // A schema of its own: the shared test database already carries the repair.
        return (StorageKind.PostgreSql, await PostgresDatabase.FreshSchemaAsync("repair"));
    }

    private static DbConnection Open(StorageKind kind, string connectionString) =>
        kind == StorageKind.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);

    private static async Task<List<(string Name, double Value)>> Execute(StorageKind kind, string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = Open(kind, connectionString);
        await connection.OpenAsync();
        await using var command = connection.Command(sql, parameters);
        var rows = new List<(string, double)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetDouble(1)));
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task KPIs_that_overflowed_before_readings_were_range_checked_are_deleted_once_and_the_rest_kept(string database)
    {
        var (kind, connectionString) = await FreshDatabase(database);
        // The KPI table as an earlier version made and filled it, a reading of 1.7e308 km/h having overflowed a mean.
        await Execute(kind, connectionString, "CREATE TABLE twin_kpi (entity_id TEXT NOT NULL, ts BIGINT NOT NULL, name TEXT NOT NULL, value DOUBLE PRECISION NOT NULL)");
        const string insert = "INSERT INTO twin_kpi (entity_id, ts, name, value) VALUES ('d', 1, 'meanSpeedKmh', @bad), ('d', 1, 'congestedKm', 2.5)";
        await Execute(kind, connectionString, insert, ("bad", double.PositiveInfinity));

        await SchemaInstaller.ApplyAsync(kind, connectionString, includeClustering: false);

        const string select = "SELECT name, value FROM twin_kpi ORDER BY name";
        Assert.Equal([("congestedKm", 2.5)], await Execute(kind, connectionString, select));
        // Applied once: a later start does not scan the table again (nothing writes such values any more).
        await Execute(kind, connectionString, insert, ("bad", double.NegativeInfinity));
        await SchemaInstaller.ApplyAsync(kind, connectionString, includeClustering: false);
        Assert.Equal(3, (await Execute(kind, connectionString, select)).Count);
    }
}
