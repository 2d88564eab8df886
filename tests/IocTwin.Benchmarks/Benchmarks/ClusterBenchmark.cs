using System.Diagnostics;
using System.Globalization;
using IocTwin.Benchmarks.Harness;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// The topology of <c>cluster.sh</c> on this box (issue #18, target 3; only when named: <c>--only=cluster</c>): two
/// silos and two API processes sharing one PostgreSQL database for membership, grain state and reading history. The
/// silos and one API process run as their own processes from the build output, as an operator starts them; the other
/// API process is this one's twin host in client mode, through which the row observes the twin. pgbench's TPC-B rate on
/// the same server is the baseline; then the run's city is imported, readings are posted to both API processes in turn
/// (acknowledged and live side by side, with the CPU of all four processes), and reading → screen latency is taken with
/// screens on this process's API. Four processes of the twin, the database server and the load on 2 cores: a working
/// figure, not a scaling claim.
/// </summary>
public static class ClusterBenchmark
{
    public const string Name = "cluster";

    /// <summary>How long the silos and the API processes may take to answer once started.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        await using var server = await PostgresCluster.StartAsync(options.PostgresConnection);
        var tps = await PostgresBenchmark.PgBenchAsync(context, server, Name);

        // One twin at a time in the process: the SQLite one steps aside.
        await BenchmarkProgram.StopAsync(context);
        var clusterId = "bench-cluster-" + Guid.NewGuid().ToString("N")[..8];
        var common = new Dictionary<string, string>
        {
            ["Twin:Storage"] = "PostgreSql",
            ["Twin:Clustering"] = "AdoNet",
            ["Twin:ConnectionString"] = server.ConnectionString,
            ["Twin:ClusterId"] = clusterId,
            ["Twin:ServiceId"] = clusterId,
            ["Twin:SeedSampleCity"] = "false",
            ["Feed:Enabled"] = "false",
            ["Auth:SigningKey"] = TwinHost.SigningKey,
            ["Auth:IngestApiKeys:0"] = TwinHost.IngestApiKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // --set settings reach every process of the twin: the silos hold the grains they tune.
        foreach (var (key, value) in options.HostSettings)
        {
            if (value is not null)
            {
                common[key] = value;
            }
        }
        var gateways = new[] { TwinHost.FreePort(), TwinHost.FreePort() };
        var processes = new List<TwinProcess>();
        try
        {
            Progress.Say("cluster: starting two silos and an API process on PostgreSQL");
            for (var i = 0; i < 2; i++)
            {
                processes.Add(TwinProcess.Silo($"silo{i}", new Dictionary<string, string>(common)
                {
                    ["Twin:SiloPort"] = TwinHost.FreePort().ToString(CultureInfo.InvariantCulture),
                    ["Twin:GatewayPort"] = gateways[i].ToString(CultureInfo.InvariantCulture),
                    ["Urls"] = $"http://127.0.0.1:{TwinHost.FreePort()}",
                }));
            }
            var otherApi = new Uri($"http://127.0.0.1:{TwinHost.FreePort()}");
            processes.Add(TwinProcess.Api("api1", new Dictionary<string, string>(common)
            {
                ["Twin:Mode"] = "Client",
                ["Twin:GatewayPort"] = gateways[1].ToString(CultureInfo.InvariantCulture),
                ["Urls"] = otherApi.ToString().TrimEnd('/'),
            }));
            var settings = new Dictionary<string, string?>();
            foreach (var (key, value) in common)
            {
                settings[key] = value;
            }
            settings["Twin:Mode"] = "Client";
            settings["Twin:GatewayPort"] = gateways[0].ToString(CultureInfo.InvariantCulture);
            context.Host = await StartHostAsync(context, settings, processes);
            await WaitReadyAsync(otherApi, processes);

            await IngestBenchmark.ImportAsync(context, context.Host, context.City, server.Origin, $"{Name}: import", () => CpuOf(processes));
            var readings = Readings.OnePerSensor(context.City, DateTimeOffset.UtcNow.AddSeconds(-1));
            var batches = Readings.Batches(readings, options.BatchSize);
            await IngestBenchmark.HttpLevelAsync(context, batches, $"batches of {options.BatchSize:N0} over {context.City.Sensors.Count:N0} sensors",
                new IngestRow(Name, "pgbench TPC-B tps", tps, AcknowledgedTargetRatio: null, PostgresBenchmark.LiveTargetRate), [otherApi],
                () => CpuOf(processes));

            await LatencyBenchmark.RunAsync(context, Name);
            context.Results.Note($"{Name}: the server was {server.Origin}; two silos and two API processes (one of them this process's twin host " +
                "in client mode, where the screens connect and the latency feed posts), state, history and membership in PostgreSQL.");
        }
        finally
        {
            // Before the server goes, as an operator stops them: the grains write their pending state on the way out.
            await BenchmarkProgram.StopAsync(context);
            foreach (var process in Enumerable.Reverse(processes))
            {
                process.Stop(TimeSpan.FromMinutes(1));
                process.Dispose();
            }
        }
    }

    /// <summary>This process's twin host as a client of the silos, once they let it in.</summary>
    private static async Task<TwinHost> StartHostAsync(BenchmarkContext context, Dictionary<string, string?> settings, List<TwinProcess> processes)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            Exited(processes);
            try
            {
                return await TwinHost.StartAsync(context.DatabaseFile, settings);
            }
            catch (Exception ex) when (started.Elapsed < StartLimit && ex is not OutOfMemoryException)
            {
                // The silos are still joining the cluster.
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    private static async Task WaitReadyAsync(Uri api, List<TwinProcess> processes)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        while (true)
        {
            Exited(processes);
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            if (started.Elapsed > StartLimit)
            {
                throw new TimeoutException($"The API process at {api} was not ready within {StartLimit}: {processes[^1].Output}");
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static void Exited(List<TwinProcess> processes)
    {
        if (processes.FirstOrDefault(p => p.HasExited) is { } gone)
        {
            throw new InvalidOperationException($"{gone.Name} exited: {gone.Output}");
        }
    }

    private static TimeSpan CpuOf(List<TwinProcess> processes) => processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.CpuTime);
}
