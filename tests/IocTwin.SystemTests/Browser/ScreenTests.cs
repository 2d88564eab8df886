using System.Diagnostics;
using System.Text;
using IocTwin.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IocTwin.Tests.Browser;

/// <summary>Runs alone: the screens' timing checks should not share two cores with the cluster tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}

/// <summary>
/// The IOC wall screen, the OC screen and the what-if scenario screen in Debian's Chromium. The node tests in tests/browser start the twin
/// with `dotnet run` (this build, no rebuild), drive the screens with playwright-core and stop the twin.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenTests(ITestOutputHelper log)
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Wall_and_OC_screens_pass_their_tests_in_Chromium()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"Chromium is not installed at {chromium}: apt-get install -y chromium (see .ci/run).");

        var directory = Path.Combine(TestBuild.RepositoryRoot(), "tests", "browser");
        if (!File.Exists(Path.Combine(directory, "node_modules", "playwright-core", "package.json")))
        {
            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], directory, TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"npm ci failed ({install.ExitCode}):\n{install.Output}");
        }

        var run = await RunAsync("node", ["--test", "--test-concurrency=1", "--test-reporter=spec"], directory, NodeTimeout,
            new Dictionary<string, string> { ["IOCTWIN_CONFIGURATION"] = TestBuild.Configuration, ["CHROMIUM_PATH"] = chromium });
        log.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, $"The browser tests failed ({run.ExitCode}):\n{run.Output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(
        string command, string[] arguments, string directory, TimeSpan timeout, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }
        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // The tree includes the twin the node tests started.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output) output.AppendLine($"[stopped after {timeout.TotalMinutes} minutes]");
        }
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
