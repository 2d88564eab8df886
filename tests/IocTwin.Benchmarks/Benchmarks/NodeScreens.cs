using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// The latency row's screens: SignalR connections (JSON protocol over a WebSocket) of one Node process of their own
/// (<c>tests/js/screens.mjs</c>), as screens are processes of their own — they share the machine's cores with the twin,
/// not the twin's heap and its collections. Each screen records when a delta frame brought a watched sensor's reading
/// count, on the monotonic clock .NET's <see cref="Stopwatch"/> reads on Linux (nanoseconds); a round's records are
/// matched to the feed's probes here.
/// </summary>
internal sealed class NodeScreens : IAsyncDisposable
{
    /// <summary>Longer than the script's own bound on a connect step (5 minutes, and a minute for the last screen started).</summary>
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(7);

    private readonly Process _node;
    private readonly string _sensorsFile;
    private readonly string[] _sensors;
    private readonly List<string> _districts = [];
    private readonly Task<string> _errors;

    private NodeScreens(Process node, string sensorsFile, string[] sensors)
    {
        _node = node;
        _sensorsFile = sensorsFile;
        _sensors = sensors;
        _errors = node.StandardError.ReadToEndAsync();
    }

    /// <summary>Screens subscribed so far.</summary>
    public int Count => _districts.Count;

    /// <summary>How late the Node process ran what was due during the last round (a frame waits that long to be recorded).</summary>
    public string LoopDelay { get; private set; } = "";

    /// <summary>Bytes of the delta frames the screens took during the last round, all screens together.</summary>
    public long DeltaBytes { get; private set; }

    /// <summary>Resyncs the screens were sent, all rounds together.</summary>
    public int Resyncs { get; private set; }

    public static async Task<NodeScreens> StartAsync(Uri address, string token, IReadOnlyList<string> watchedSensors)
    {
        // The script's arrival times are nanoseconds of CLOCK_MONOTONIC: Stopwatch ticks only where they are the same.
        if (Stopwatch.Frequency != 1_000_000_000)
        {
            throw new PlatformNotSupportedException("The screens' arrival times need Stopwatch ticks of a nanosecond (Linux).");
        }
        var directory = await JsClientPackages.InstalledAsync();
        var sensorsFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(sensorsFile, watchedSensors);
            var node = Process.Start(new ProcessStartInfo("node")
            {
                WorkingDirectory = directory,
                ArgumentList = { "screens.mjs", new Uri(address, "/hubs/twin").ToString(), token, sensorsFile },
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("node did not start");
            return new NodeScreens(node, sensorsFile, [.. watchedSensors]);
        }
        catch
        {
            File.Delete(sensorsFile);
            throw;
        }
    }

    /// <summary>Adds a screen per district scope given; returns what happened, for the row's note.</summary>
    public async Task<string> ConnectAsync(IReadOnlyList<string> districts)
    {
        var first = Count + 1;
        var answer = await CommandAsync(new JsonObject { ["cmd"] = "connect", ["scopes"] = new JsonArray([.. districts.Select(d => (JsonNode)$"district:{d}")]) });
        var subscribed = (int)answer["subscribed"]!;
        var times = answer["connectMs"]!.AsArray().Select(t => (double)t!).ToList();
        // The script numbers the screens subscribed in the order they were given, after those of earlier steps.
        _districts.AddRange(answer["joined"]!.AsArray().Select(i => districts[(int)i!]));
        return FormattableString.Invariant(
            $"screens {first:N0}..{first + districts.Count - 1:N0}: {subscribed:N0} subscribed in {(double)answer["seconds"]!:N1} s ") +
            FormattableString.Invariant($"(connect + Subscribe p50 {LatencyBenchmark.Percentile(times, 0.5):N0} ms / p99 {LatencyBenchmark.Percentile(times, 0.99):N0} ms)") +
            string.Concat(answer["failed"]!.AsObject().Select(f => FormattableString.Invariant($", {(int)f.Value!:N0} failed ({f.Key})"))) +
            ((int)answer["untried"]! > 0 ? FormattableString.Invariant($", {(int)answer["untried"]!:N0} not tried within the step") : "");
    }

    /// <summary>Forgets earlier records and records the screens' arrivals from now.</summary>
    public Task RecordAsync() => CommandAsync(new JsonObject { ["cmd"] = "record" });

    /// <summary>
    /// Stops recording and matches the records to the round's probes as a screen in this process would have matched them
    /// on arrival: each screen's first arrival of each probe, the probe a frame satisfies being its sensor's latest at
    /// or below the frame's count, and only while it is the sensor's latest — an arrival after the sensor's next reading
    /// was sent (in the round, or its first after it, <paramref name="sentAfterRound"/>) matches nothing.
    /// </summary>
    public async Task<IReadOnlyList<IProbeReceiver>> TakeAsync(IReadOnlyList<Probe> probes, IReadOnlyDictionary<string, long> sentAfterRound)
    {
        var file = Path.GetTempFileName();
        try
        {
            var answer = await CommandAsync(new JsonObject { ["cmd"] = "take", ["file"] = file });
            var frames = answer["frames"]!.AsArray().Select(f => (long)f!).ToArray();
            DeltaBytes = (long)answer["deltaBytes"]!;
            Resyncs = answer["resyncs"]!.AsArray().Sum(r => (int)r!);
            var delay = answer["loopDelayMs"]!;
            LoopDelay = FormattableString.Invariant($"p50 {(double)delay["p50"]!:N0} ms / p99 {(double)delay["p99"]!:N0} ms / max {(double)delay["max"]!:N0} ms");
            var bySensor = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < probes.Count; i++)
            {
                if (!probes[i].Refused)
                {
                    (bySensor.TryGetValue(probes[i].SensorId, out var list) ? list : bySensor[probes[i].SensorId] = []).Add(i);
                }
            }
            var screens = _districts.Select((d, i) => new RecordedScreen(d, i < frames.Length ? frames[i] : 0)).ToArray();
            var bytes = await File.ReadAllBytesAsync(file);
            for (var at = 0; at + 24 <= bytes.Length; at += 24)
            {
                var record = bytes.AsSpan(at, 24);
                var screen = BinaryPrimitives.ReadInt32LittleEndian(record);
                var sensor = _sensors[BinaryPrimitives.ReadInt32LittleEndian(record[4..])];
                var count = (long)BinaryPrimitives.ReadDoubleLittleEndian(record[8..]);
                var arrived = BinaryPrimitives.ReadInt64LittleEndian(record[16..]);
                if (screen >= screens.Length || !bySensor.TryGetValue(sensor, out var sent))
                {
                    continue;
                }
                // Probes of a sensor are in the order sent, their counts rising.
                var latest = -1;
                while (latest + 1 < sent.Count && probes[sent[latest + 1]].Count <= count)
                {
                    latest++;
                }
                var nextSent = latest + 1 < sent.Count ? probes[sent[latest + 1]].SentAt : sentAfterRound.GetValueOrDefault(sensor, long.MaxValue);
                var match = latest >= 0 && arrived < nextSent ? sent[latest] : -1;
                if (match >= 0)
                {
                    screens[screen].Saw(match, arrived);
                }
            }
            return screens;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<JsonNode> CommandAsync(JsonObject command)
    {
        await _node.StandardInput.WriteLineAsync(command.ToJsonString());
        await _node.StandardInput.FlushAsync();
        using var giveUp = new CancellationTokenSource(CommandLimit);
        var line = await _node.StandardOutput.ReadLineAsync(giveUp.Token);
        return line is null
            ? throw new InvalidOperationException($"screens.mjs ended ({(_node.HasExited ? _node.ExitCode.ToString(CultureInfo.InvariantCulture) : "running")}): {(_node.HasExited ? await _errors : "")}")
            : JsonNode.Parse(line) ?? throw new JsonException("screens.mjs answered null");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_node.HasExited)
            {
                await _node.StandardInput.WriteLineAsync("""{"cmd":"close"}""");
                await _node.StandardInput.FlushAsync();
                using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _node.WaitForExitAsync(giveUp.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
        finally
        {
            if (!_node.HasExited)
            {
                _node.Kill(entireProcessTree: true);
            }
            _node.Dispose();
            File.Delete(_sensorsFile);
        }
    }

    /// <summary>One screen's round: its first arrival of each probe.</summary>
    private sealed class RecordedScreen(string districtId, long frames) : IProbeReceiver
    {
        private readonly Dictionary<int, long> _first = [];

        public string? DistrictId { get; } = districtId;

        public long Frames { get; } = frames;

        public void Saw(int probe, long arrived) => _first.TryAdd(probe, arrived);

        public List<(int Probe, long Arrived)> TakeArrivals() => [.. _first.Select(a => (a.Key, a.Value))];
    }
}
