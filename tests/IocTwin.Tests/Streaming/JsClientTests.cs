using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using IocTwin.Api.Access;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>Browser screens use the official JavaScript client: the same checks, run under Node.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class JsClientTests(TwinApiFactory api)
{
    [Fact]
    public async Task The_JavaScript_client_receives_the_delta_of_its_scope()
    {
        const string scope = "district:lien-chieu";
        var (segment, counter) = await api.Http.CountedSegment("lien-chieu");
        var token = api.Token(TwinRoles.DistrictOc, districts: ["lien-chieu"]);
        await using var check = await NodeCheck.StartAsync(LiveScreen.HubUrl(api), token, scope, counter.Id);

        var subscribed = await check.NextAsync();
        Assert.Equal("subscribed", (string?)subscribed["status"]);
        Assert.Equal(scope, (string?)subscribed["scope"]);
        Assert.True((int)subscribed["sensors"]! > 0);
        var slow = Math.Round(segment.Spec.FreeFlowSpeedKmh * 0.2, 1);
        var posted = await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = slow, flow = 1600 }));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var result = await check.NextAsync();
        Assert.Equal("delta", (string?)result["status"]);
        Assert.Equal(scope, (string?)result["scope"]);
        Assert.True((long)result["sequence"]! > (long)result["snapshotSequence"]!);
        var sensor = result["sensor"]!;
        Assert.Equal(counter.Id, (string?)sensor["id"]);
        Assert.Equal("lien-chieu", (string?)sensor["districtId"]);
        Assert.Equal("traffic-counter", (string?)sensor["kind"]);
        Assert.Equal(slow, (double)sensor["values"]!["speed"]!);
        Assert.Equal(1600, (double)sensor["values"]!["flow"]!);
        Assert.Equal("online", (string?)sensor["health"]);
        Assert.Equal(0, await check.ExitCodeAsync());
    }

    [Fact]
    public async Task The_JavaScript_client_of_a_district_OC_is_refused_another_district()
    {
        var (_, counter) = await api.Http.CountedSegment("hai-chau");
        var token = api.Token(TwinRoles.DistrictOc, districts: ["thanh-khe"]);
        await using var check = await NodeCheck.StartAsync(LiveScreen.HubUrl(api), token, "district:hai-chau", counter.Id);

        var result = await check.NextAsync();

        Assert.Equal("error", (string?)result["status"]);
        Assert.Contains("Forbidden", (string?)result["error"]);
        Assert.Contains("district:hai-chau", (string?)result["error"]);
        Assert.Equal(2, await check.ExitCodeAsync());
    }

    /// <summary>tests/js/stream-check.mjs running under Node; its stdout lines are JSON objects.</summary>
    private sealed class NodeCheck : IAsyncDisposable
    {
        private static readonly SemaphoreSlim InstallGate = new(1, 1);
        private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(20);
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly List<string> _errors = [];

        private NodeCheck(Process process) => _process = process;

        public static async Task<NodeCheck> StartAsync(Uri hubUrl, string token, string scope, string sensorId)
        {
            var directory = await InstalledAsync();
            var process = new Process
            {
                StartInfo = new ProcessStartInfo("node")
                {
                    WorkingDirectory = directory,
                    ArgumentList = { "stream-check.mjs", hubUrl.ToString(), token, scope, sensorId, "15000" },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                },
            };
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
                throw new Xunit.Sdk.XunitException($"stream-check.mjs printed nothing in {LineTimeout.TotalSeconds} s; stderr: {Errors()}");
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

        /// <summary>tests/js with its locked packages installed (npm ci, once, when node_modules is missing).</summary>
        private static async Task<string> InstalledAsync()
        {
            var directory = Path.Combine(RepositoryRoot(), "tests", "js");
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

        private static string RepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "IocTwin.sln")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException($"No IocTwin.sln above {AppContext.BaseDirectory}");
        }
    }
}
