using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IocTwin.Benchmarks.Harness;

/// <summary>
/// The PostgreSQL server the PostgreSQL row runs on: one given by <c>--postgres=</c>, or a throwaway cluster on loopback
/// started with the repository's <c>.ci/postgres.sh</c> and removed afterwards. The script runs from a copy in a folder
/// of its own, so the cluster it records for the tests of this working copy is left alone.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private readonly string? _scriptCopy;

    private PostgresCluster(string connectionString, string? scriptCopy) => (ConnectionString, _scriptCopy) = (connectionString, scriptCopy);

    public string ConnectionString { get; }

    /// <summary>Where the server came from, for the report.</summary>
    public string Origin => _scriptCopy is null ? "given by --postgres" : "a throwaway cluster on loopback (.ci/postgres.sh)";

    public static async Task<PostgresCluster> StartAsync(string? given)
    {
        if (given is not null)
        {
            return new PostgresCluster(given, null);
        }
        var script = FindScript() ?? throw new InvalidOperationException(
            "The PostgreSQL row needs .ci/postgres.sh (run from the repository) or --postgres=<connection string>.");
        var folder = Path.Combine(Path.GetTempPath(), "ioctwin-bench-pg-" + Guid.NewGuid().ToString("N")[..8], ".ci");
        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, "postgres.sh");
        File.Copy(script, copy);
        var cluster = new PostgresCluster("", copy);
        try
        {
            var output = await RunAsync("bash", [copy, "start"], environment: null, TimeSpan.FromMinutes(5));
            var match = ExportLine().Match(output);
            return match.Success
                ? new PostgresCluster(match.Groups[1].Value, copy)
                : throw new InvalidOperationException($"postgres.sh start printed no connection string: {output}");
        }
        catch
        {
            // Whatever the script got to start goes with its folder.
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_scriptCopy is null)
        {
            return;
        }
        try
        {
            await RunAsync("bash", [_scriptCopy, "stop"], environment: null, TimeSpan.FromMinutes(2));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(_scriptCopy)!)!, recursive: true);
        }
    }

    /// <summary>Runs a program to its end; its standard output, or an exception carrying its error output.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Out of time: stop the program and what it started, so no child outlives the benchmark holding the cluster.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not end within {timeout}; it was stopped.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error}");
        }
        return await output;
    }

    /// <summary>.ci/postgres.sh in the repository above the working folder (found by its IocTwin.sln).</summary>
    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IocTwin.sln")))
            {
                var script = Path.Combine(dir.FullName, ".ci", "postgres.sh");
                return File.Exists(script) ? script : null;
            }
        }
        return null;
    }

    [GeneratedRegex("export IOCTWIN_TEST_POSTGRES='([^']+)'")]
    private static partial Regex ExportLine();
}
