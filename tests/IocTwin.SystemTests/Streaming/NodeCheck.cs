using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;

using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Streaming;

/// <summary>A script of tests/js (the official SignalR JavaScript client) running under Node; its stdout lines are JSON objects.</summary>
internal sealed class NodeCheck : IAsyncDisposable
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(45);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _errors = [];

    private NodeCheck(Process process) => _process = process;

    public static async Task<NodeCheck> StartAsync(string script, params string[] arguments)
    {
        var directory = await JsClientPackages.InstalledAsync();
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("node")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.StartInfo.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            process.StartInfo.ArgumentList.Add(argument);
        }
        var check = new NodeCheck(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                check._lines.Writer.TryWrite(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (check._errors)
                {
                    check._errors.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return check;
    }

    public async Task<JsonNode> NextAsync()
    {
        using var timeout = new CancellationTokenSource(LineTimeout);
        try
        {
            var line = await _lines.Reader.ReadAsync(timeout.Token);
            return JsonNode.Parse(line) ?? throw new InvalidOperationException($"Not a JSON line: {line}");
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{_process.StartInfo.ArgumentList[0]} printed nothing in {LineTimeout.TotalSeconds} s; stderr: {Errors()}");
        }
    }

    public async Task<int> ExitCodeAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(LineTimeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private string Errors()
    {
        lock (_errors)
        {
            return string.Join('\n', _errors);
        }
    }
}
