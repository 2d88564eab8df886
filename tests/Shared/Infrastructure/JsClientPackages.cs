using System.Diagnostics;

namespace IocTwin.Tests.Infrastructure;

/// <summary>tests/js, the official SignalR JavaScript client's scripts under Node, with its locked packages. Shared by the tests and the benchmarks.</summary>
public static class JsClientPackages
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The folder, its packages installed (npm ci, once, when node_modules is missing).</summary>
    public static async Task<string> InstalledAsync()
    {
        var directory = Path.Combine(TestBuild.RepositoryRoot(), "tests", "js");
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(directory, "node_modules", "@microsoft", "signalr", "package.json")))
            {
                using var npm = Process.Start(new ProcessStartInfo("npm")
                {
                    WorkingDirectory = directory,
                    ArgumentList = { "ci", "--no-audit", "--no-fund" },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                var output = npm.StandardOutput.ReadToEndAsync();
                var errors = npm.StandardError.ReadToEndAsync();
                await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
                if (npm.ExitCode != 0)
                {
                    throw new InvalidOperationException($"npm ci failed ({npm.ExitCode}): {await output}\n{await errors}");
                }
            }
            return directory;
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
