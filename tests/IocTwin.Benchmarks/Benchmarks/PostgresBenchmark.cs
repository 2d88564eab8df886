using System.Globalization;
using IocTwin.Benchmarks.Harness;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// The twin with state and history in PostgreSQL on loopback (issue #18, target 3; only when named: <c>--only=postgres</c>):
/// pgbench's TPC-B rate on the same server first, the baseline; then one silo hosted on that server imports the run's
/// city and takes the HTTP ingest of row 2, acknowledged and live side by side.
/// </summary>
public static class PostgresBenchmark
{
    public const string Name = "postgres";

    /// <summary>The row's import figures and note.</summary>
    private const string ImportLabel = "postgres: import";

    /// <summary>Readings/s the PostgreSQL-backed silo keeps live (issue #18, target 3).</summary>
    public const double LiveTargetRate = 50_000;

    /// <summary>pgbench's TPC-B rate on <paramref name="cluster"/>, reported as a figure of <paramref name="row"/>: the baseline of its rates.</summary>
    internal static async Task<double> PgBenchAsync(BenchmarkContext context, PostgresCluster cluster, string row)
    {
        var duration = context.Options.PgBenchDuration;
        Progress.Say($"{row}: pgbench TPC-B for {duration.TotalSeconds:N0} s on {cluster.Origin}");
        var tps = await PgBench.RunAsync(cluster.ConnectionString, duration);
        context.Results.Add(new Figure(row, string.Create(CultureInfo.InvariantCulture,
                $"pgbench TPC-B transactions/s (scale 1, {PgBench.Clients} clients, {PgBench.Threads} threads, {duration.TotalSeconds:N0} s)"),
            tps, Unit.PerSecond, "itself", tps));
        return tps;
    }

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        await using var cluster = await PostgresCluster.StartAsync(options.PostgresConnection);
        var tps = await PgBenchAsync(context, cluster, Name);

        // One twin at a time in the process: the SQLite one steps aside for one on PostgreSQL.
        await BenchmarkProgram.StopAsync(context);
        Progress.Say("postgres: starting the twin with state and history in PostgreSQL");
        var settings = new Dictionary<string, string?>(options.HostSettings)
        {
            ["Twin:Storage"] = "PostgreSql",
            ["Twin:ConnectionString"] = cluster.ConnectionString,
        };
        context.Host = await TwinHost.StartAsync(context.DatabaseFile, settings);
        try
        {
            await IngestBenchmark.ImportAsync(context, context.Host, context.City, cluster.Origin, ImportLabel);
            var readings = Readings.OnePerSensor(context.City, DateTimeOffset.UtcNow.AddSeconds(-1));
            var batches = Readings.Batches(readings, options.BatchSize);
            await IngestBenchmark.HttpLevelAsync(context, batches, $"batches of {options.BatchSize:N0} over {context.City.Sensors.Count:N0} sensors",
                new IngestRow(Name, "pgbench TPC-B tps", tps, AcknowledgedTargetRatio: null, LiveTargetRate));
            context.Results.Note($"postgres: the server was {cluster.Origin}; the twin one silo (localhost clustering), state and history in PostgreSQL. " +
                "The two-silo, two-API topology of cluster.sh is not measured by this row.");
        }
        finally
        {
            // Before the server goes: the grains write their pending state on the way out.
            await BenchmarkProgram.StopAsync(context);
        }
    }
}
