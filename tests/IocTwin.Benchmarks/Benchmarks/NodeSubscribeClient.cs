using System.Diagnostics;
using System.Text.Json.Nodes;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>One Subscribe as the Node client timed it (<c>tests/js/subscribe-timing.mjs</c>).</summary>
public sealed record TimedSubscribe(string Scope, double AnswerMs, double WholeMs, SnapshotOutcome Outcome, int Parts, int Segments, int Sensors);

/// <summary>
/// Times Subscribe with the official SignalR JavaScript client in a Node process of its own, as a screen is a process of
/// its own: its parsing shares the machine's cores with the twin, not the twin's heap and its collections.
/// </summary>
public static class NodeSubscribeClient
{
    /// <summary>Rounds of calls (a no-op hub call, then each scope in turn) on one connection; the calls as they ended.</summary>
    public static async Task<List<TimedSubscribe>> RunAsync(Uri address, string token, IEnumerable<string> scopes, int rounds)
    {
        var directory = await JsClientPackages.InstalledAsync();
        using var node = Process.Start(new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            ArgumentList = { "subscribe-timing.mjs", new Uri(address, "/hubs/twin").ToString(), token, string.Join(',', scopes), rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node did not start");
        var errors = node.StandardError.ReadToEndAsync();
        List<TimedSubscribe> calls = [];
        // Each call may take a minute to come whole (the script's own limit), so a round of every scope a few.
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMinutes(5) * Math.Max(1, rounds));
        try
        {
            while (await node.StandardOutput.ReadLineAsync(giveUp.Token) is { } line)
            {
                var json = JsonNode.Parse(line)!;
                if (json["status"] is { } status)
                {
                    if ((string?)status == "failed")
                    {
                        throw new InvalidOperationException($"subscribe-timing.mjs: {json["error"]}");
                    }
                    continue;
                }
                calls.Add(new TimedSubscribe((string)json["scope"]!, (double)json["answerMs"]!, (double)json["wholeMs"]!,
                    (string?)json["outcome"] switch { "whole" => SnapshotOutcome.Whole, "resync" => SnapshotOutcome.Resynced, _ => SnapshotOutcome.TimedOut },
                    (int)json["parts"]!, (int)json["segments"]!, (int)json["sensors"]!));
            }
            await node.WaitForExitAsync(giveUp.Token);
        }
        finally
        {
            // A client given up on (a failure, a line that is not JSON, the time limit) must not outlive the run.
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"subscribe-timing.mjs exited with {node.ExitCode}: {await errors}");
        }
        return calls;
    }
}
