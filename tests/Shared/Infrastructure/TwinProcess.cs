using System.Diagnostics;
using System.Text;

namespace IocTwin.Tests.Infrastructure;

/// <summary>A silo or API started as its own OS process from the build output, as an operator runs them.</summary>
public sealed class TwinProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TwinProcess(string name, string project, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        Name = name;
        var folder = Path.Combine(TestBuild.RepositoryRoot(), Path.GetDirectoryName(project)!, "bin", TestBuild.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(folder, Path.GetFileName(project) + ".dll") },
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The CPU time the process has used so far; once it has exited, the last time it was read.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                _lastCpuTime = _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                // Exited: the runtime no longer reads its times.
            }
            return _lastCpuTime;
        }
    }

    private TimeSpan _lastCpuTime;

    /// <summary>SIGTERM, as an operator stops it, and the wait for it to end; a kill when it is still running after <paramref name="timeout"/>.</summary>
    public void Stop(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])))
        {
            term?.WaitForExit();
        }
        if (!WaitForExit(timeout))
        {
            Kill();
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static TwinProcess Silo(string name, IReadOnlyDictionary<string, string> settings) =>
        new(name, "silo/IocTwin.Silo/IocTwin.Silo", settings);

    public static TwinProcess Api(string name, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null) =>
        new(name, "api/IocTwin.Api/IocTwin.Api", settings, environment);

    /// <summary>Waits for the process to end by itself; false when it still runs after the timeout.</summary>
    /// <summary>True once the process has exited and all it wrote has been read (the timed wait alone does not drain it).</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit();
        return true;
    }

    /// <summary>SIGKILL: no shutdown, no flush, as a crashed machine.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            // Keep the tail: enough to explain a failure.
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
            _output.AppendLine(line);
        }
    }
}
