using System.Globalization;
using System.Text.RegularExpressions;
using IocTwin.Benchmarks.Harness;
using Npgsql;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// pgbench's TPC-B-like transaction rate on a PostgreSQL server (<c>pgbench -i</c>, then <c>pgbench -T n -c 4 -j 2</c>):
/// what the server and the machine give a plain client in the same run, the baseline of the PostgreSQL row.
/// Its tables are dropped afterwards.
/// </summary>
public static partial class PgBench
{
    public const int Clients = 4;
    public const int Threads = 2;

    public static async Task<double> RunAsync(string connectionString, TimeSpan duration)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        // libpq reads the server from the environment, so the password never shows in a process list.
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = connection.Host ?? "127.0.0.1",
            ["PGPORT"] = connection.Port.ToString(CultureInfo.InvariantCulture),
            ["PGDATABASE"] = connection.Database ?? "postgres",
            ["PGUSER"] = connection.Username ?? "postgres",
            ["PGPASSWORD"] = connection.Password ?? "",
        };
        var timeout = duration + TimeSpan.FromMinutes(3);
        await PostgresCluster.RunAsync("pgbench", ["-i", "-q"], environment, timeout);
        try
        {
            var output = await PostgresCluster.RunAsync("pgbench",
                ["-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-c", Clients.ToString(CultureInfo.InvariantCulture),
                 "-j", Threads.ToString(CultureInfo.InvariantCulture)], environment, timeout);
            var tps = Tps().Match(output);
            return tps.Success
                ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"pgbench printed no tps: {output}");
        }
        finally
        {
            await PostgresCluster.RunAsync("pgbench", ["-i", "-I", "d"], environment, timeout);
        }
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
