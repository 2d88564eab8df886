using Npgsql;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use: IOCTWIN_TEST_POSTGRES, set by ./test.sh (which starts a throwaway server).
/// Tests that need it fail loudly without it rather than skip.
/// </summary>
public static class PostgresDatabase
{
    public const string Variable = "IOCTWIN_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests with ./test.sh, which starts a PostgreSQL server for them.");

    /// <summary>
    /// A connection string to a schema of its own on the test server, for tests that need an empty database: the shared
    /// one already carries every migration.
    /// </summary>
    public static async Task<string> FreshSchemaAsync(string prefix)
    {
        var schema = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        await using (var server = new NpgsqlConnection(ConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", server);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString();
    }
}
