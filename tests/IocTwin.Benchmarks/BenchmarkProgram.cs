using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using IocTwin.Api.Streaming;
using IocTwin.Benchmarks.Benchmarks;
using IocTwin.Benchmarks.Harness;
using IocTwin.Topology;

namespace IocTwin.Benchmarks;

/// <summary>
/// End-to-end benchmarks of the twin on this machine, run in one process:
/// <c>dotnet run -c Release --project tests/IocTwin.Benchmarks -- [--quick]</c>. Prints one markdown table.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // The twin runs in this process: its pool of arrays for screens' frames is sized before anything uses the pool.
        SharedArrayPoolSize.SetForScreens();
        RunOptions options;
        try
        {
            options = RunOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        // Standard output carries the report alone; progress and anything else printed on the way go to standard error.
        var report = Console.Out;
        Console.SetOut(Console.Error);
        var startedAt = DateTimeOffset.Now;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ioctwin-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var results = new Results();
        using var counters = new Counters();
        var context = new BenchmarkContext(options, dataDirectory, results, counters);
        var runStart = counters.Take();
#if DEBUG
        results.Note("DEBUG BUILD: not representative, run with -c Release.");
#endif
        var exitCode = 0;
        try
        {
            await RunAsync(context);
        }
        catch (Exception ex)
        {
            // A partial table is still worth printing; the failure is part of the report.
            results.Note($"RUN FAILED: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine(ex);
            exitCode = 1;
        }
        finally
        {
            await StopAsync(context);
            TryDelete(dataDirectory);
        }

        var markdown = results.ToMarkdown(Header(options, args, startedAt, counters.Take().Since(runStart)));
        await report.WriteLineAsync(markdown);
        await report.FlushAsync();
        if (options.OutputFile is { } file)
        {
            await File.WriteAllTextAsync(file, markdown);
        }
        return exitCode;
    }

    private static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        // Pure computation on a published network: no twin needed, so it runs first and alone when asked alone.
        if (options.Runs(AssignmentBenchmark.Name))
        {
            AssignmentBenchmark.Run(context);
        }
        if (options.Only.Count > 0 && options.Only.All(name => name.Equals(AssignmentBenchmark.Name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }
        Progress.Say($"{options.Mode} run: generating a city of {options.Districts:N0} districts, {options.Segments:N0} segments, {options.Sensors:N0} sensors");
        context.City = SyntheticCityGenerator.Generate(new SyntheticCityOptions(options.Districts, options.Segments, options.Sensors, Seed: 1,
            WardsPerDistrict: options.WardsPerDistrict));

        if (options.Runs(NgsiLdNotifyBenchmark.Name))
        {
            options.HostSettings.TryAdd(NgsiLdNotifyBenchmark.AllowLoopback.Key, NgsiLdNotifyBenchmark.AllowLoopback.Value);
        }
        Progress.Say("starting the twin (API + embedded silo, SQLite)");
        context.Host = await TwinHost.StartAsync(context.DatabaseFile, options.HostSettings);

        // Every throughput figure is a ratio to this one.
        if (options.Runs(GrainCallBaseline.Name) || options.Runs(IngestBenchmark.Name) || options.RunsNamed(IngestBenchmark.ImportName) || options.RunsNamed(MillionBenchmark.Name) || options.RunsNamed(PostgresBenchmark.Name) || options.RunsNamed(ClusterBenchmark.Name))
        {
            context.BaselineCallRate = await GrainCallBaseline.RunAsync(context);
        }
        if (options.Runs(IngestBenchmark.Name) || options.Runs(NgsiLdIngestBenchmark.Name) || options.Runs(LatencyBenchmark.Name) || options.Runs(NgsiLdNotifyBenchmark.Name) || options.Runs(SubscribeBenchmark.Name) || options.Runs(MemoryBenchmark.Name) || options.RunsNamed(AreaStalenessBenchmark.Name) || options.RunsNamed(AssetsBenchmark.Name) || options.RunsNamed(IngestBenchmark.ImportName))
        {
            await IngestBenchmark.ImportAsync(context);
        }
        if (options.Runs(IngestBenchmark.Name))
        {
            await IngestBenchmark.RunAsync(context);
        }
        if (options.Runs(NgsiLdIngestBenchmark.Name))
        {
            await NgsiLdIngestBenchmark.RunAsync(context);
        }
        if (options.Runs(LatencyBenchmark.Name))
        {
            await LatencyBenchmark.RunAsync(context);
        }
        if (options.Runs(NgsiLdNotifyBenchmark.Name))
        {
            await NgsiLdNotifyBenchmark.RunAsync(context);
        }
        if (options.Runs(SubscribeBenchmark.Name))
        {
            await SubscribeBenchmark.RunAsync(context);
        }
        if (ScenarioSpeedBenchmark.Available && options.Runs(ScenarioSpeedBenchmark.Name))
        {
            await ScenarioSpeedBenchmark.RunAsync(context);
        }
        if (options.RunsNamed(AssetsBenchmark.Name))
        {
            await AssetsBenchmark.RunAsync(context);
        }
        if (options.RunsNamed(MillionBenchmark.Name))
        {
            // Restarts the twin on the same database half way.
            await MillionBenchmark.RunAsync(context);
        }
        if (options.RunsNamed(AreaStalenessBenchmark.Name))
        {
            // Leaves no twin running: it measures a second city on a twin of its own.
            await AreaStalenessBenchmark.RunAsync(context);
        }

        if (options.Runs(MemoryBenchmark.Name))
        {
            // A fresh process state for memory: stop this twin (its grains write their state on the way out) and
            // start another on the same database, with nothing active.
            Progress.Say("stopping the twin; starting a fresh one on the same database");
            await StopAsync(context);
            context.Host = await TwinHost.StartAsync(context.DatabaseFile, options.HostSettings);
            await MemoryBenchmark.RunAsync(context);
        }
        if (options.RunsNamed(PostgresBenchmark.Name))
        {
            // Last: it replaces the SQLite twin with one on PostgreSQL.
            await PostgresBenchmark.RunAsync(context);
        }
        if (options.RunsNamed(ClusterBenchmark.Name))
        {
            // After the PostgreSQL row: it too replaces the SQLite twin, with two silos and two API processes.
            await ClusterBenchmark.RunAsync(context);
        }
    }

    /// <summary>Stops the twin; its grains write their pending state on the way out, which the run reports.</summary>
    internal static async Task StopAsync(BenchmarkContext context)
    {
        if (context.Host is not { } host)
        {
            return;
        }
        context.Host = null!;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await host.DisposeAsync();
            Progress.Say($"twin stopped in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s");
        }
        catch (Exception ex) when (ex is OperationCanceledException or OrleansException or TimeoutException)
        {
            context.Results.Note($"stopping the twin failed after {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string Header(RunOptions options, string[] args, DateTimeOffset startedAt, Counters.Window run)
    {
        var c = CultureInfo.InvariantCulture;
        var command = "dotnet run -c Release --project tests/IocTwin.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        var memoryGb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var settings = options.HostSettings.Count == 0 ? "product defaults" : string.Join(", ", options.HostSettings.Select(s => $"{s.Key}={s.Value}"));
        return string.Create(c, $"""
            ### IocTwin benchmarks — {options.Mode} run

            - Date: {startedAt:yyyy-MM-dd HH:mm zzz}; took {run.Elapsed.TotalMinutes:N1} min; the benchmark process used {run.CoresBusy:0.00} cores on average, other processes of the machine {run.OtherCoresBusy:0.00}
            - Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {memoryGb:N0} GB, {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC
            - Command: `{command}`
            - Twin: API with embedded silo (localhost clustering) and its load generators in one process; state in SQLite through ADO.NET{(options.RunsNamed(PostgresBenchmark.Name) ? " (the postgres rows: state and history in PostgreSQL)" : "")}{(options.RunsNamed(ClusterBenchmark.Name) ? " (the cluster rows: two silos and two API processes on PostgreSQL)" : "")}; {settings}
            - City: {options.Districts:N0} districts{(options.WardsPerDistrict > 1 ? $" of {options.WardsPerDistrict} wards each" : "")} / {options.Segments:N0} segments / {options.Sensors:N0} sensors (SyntheticCityGenerator, seed 1)
            """);
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                   ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp folder is cleaned by the OS.
        }
    }
}
