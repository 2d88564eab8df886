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
}
