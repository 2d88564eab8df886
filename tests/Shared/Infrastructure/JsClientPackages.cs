using System.Diagnostics;
using System.Text.Json.Nodes;

namespace IocTwin.Tests.Infrastructure;

/// <summary>tests/js, the official SignalR JavaScript client's scripts under Node, with its locked packages. Shared by the tests and the benchmarks.</summary>
public static class JsClientPackages
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The folder, its packages installed (npm ci, once, when a package it pins is missing or at another version).</summary>
    public static async Task<string> InstalledAsync()
    {
        var directory = Path.Combine(TestBuild.RepositoryRoot(), "tests", "js");
        await InstallGate.WaitAsync();
        try
        {
            if (!Installed(directory))
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

    /// <summary>Whether every package package.json pins is in node_modules at that version (a checkout may hold older ones).</summary>
    private static bool Installed(string directory)
    {
        var pinned = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "package.json")))!["dependencies"]!.AsObject();
        foreach (var (name, version) in pinned)
        {
            var installed = Path.Combine([directory, "node_modules", .. name.Split('/'), "package.json"]);
            if (!File.Exists(installed) || (string?)JsonNode.Parse(File.ReadAllText(installed))!["version"] != (string?)version)
            {
                return false;
            }
        }
        return true;
    }
}
