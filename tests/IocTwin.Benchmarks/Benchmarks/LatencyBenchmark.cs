using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 3. Reading-to-screen latency. A steady feed posts readings across the whole synthetic city through
/// POST /api/v1/readings; screens (SignalR clients of /hubs/twin) are spread evenly over a few <c>district:{id}</c>
/// scopes. For every reading of a sensor in one of those districts, the latency is the time from the POST being
/// acknowledged to the first delta frame carrying that sensor's new reading count at each screen of its district.
/// The baseline is the same path without screens: acknowledgement to the update reaching the API process's twin
/// observer (the end of the grain rollup, where the SignalR fan-out begins), measured by a second observer.
/// </summary>
public static class LatencyBenchmark
{
    public const string Name = "latency";

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var host = context.Host;
        var city = context.City;

        // Districts watched by screens, spread over the city.
        var step = Math.Max(1, city.Districts.Count / options.ScopeDistricts);
        var watched = city.Districts.Where((_, i) => i % step == 0).Take(options.ScopeDistricts).Select(d => d.Id).ToArray();
        var watchedSet = watched.ToHashSet(StringComparer.Ordinal);

        // Reading counts of the watched sensors now: the feed knows the count each of its readings makes.
        var watchedSensors = city.Sensors.Where(s => watchedSet.Contains(s.DistrictId)).Select(s => s.Id).ToArray();
        var counts = await Task.WhenAll(watchedSensors.Select(id => host.Grains.GetGrain<ISensorGrain>(id).Get()));
        var book = new ProbeBook(watchedSensors.Zip(counts, (id, view) => (id, view!.ReadingCount)));

        var observer = new ProbeObserver(book, watchedSet);
        var processId = Guid.NewGuid();
        var reference = host.Grains.CreateObjectReference<ITwinObserver>(observer);
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(host.Grains, processId, reference, stop.Token);

        var feed = new Feed(host, city, book, options.FeedReadingsPerSecond);
        var feeding = feed.RunAsync(stop.Token);
        var clients = new List<ScreenClient>();
        try
        {
            Progress.Say($"latency: feed of {options.FeedReadingsPerSecond:N0} readings/s across {city.Sensors.Count:N0} sensors; " +
                         $"screens on {watched.Length} district scopes ({watchedSensors.Length:N0} sensors)");
            // The publisher picks up new observers within a few seconds; write-behind of the fed sensors starts after
            // PersistDelay and takes a while to settle.
            await observer.FirstUpdate.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(options.LatencyFeedWarmup);

            (double P50, double P99)? baseline = null;
            var resyncsBefore = 0;
            foreach (var screens in new[] { 0 }.Concat(options.ClientSteps))
            {
                await ConnectAsync(host, book, clients, screens, watched);
                await Task.Delay(options.LatencyWarmup);

                var before = context.Counters.Take();
                var sentBefore = feed.Sent;
                book.StartRound();
                await Task.Delay(options.LatencyWindow);
                var probes = book.EndRound();
                var window = context.Counters.Take().Since(before);
                var feedRate = (feed.Sent - sentBefore) / window.Elapsed.TotalSeconds;
                // Let the last readings of the round reach the screens.
                await Task.Delay(options.LatencyGrace);

                var atObserver = Summarise(probes, [observer]);
                var atScreens = Summarise(probes, [.. clients]);
                var unseen = await DescribeUnseenAsync(host, probes, atObserver.SeenProbes);
                var label = screens switch
                {
                    0 => "0 screens: reading → API process's twin observer",
                    1 => "1 screen: reading → SignalR frame",
                    _ => $"{screens:N0} screens: reading → SignalR frame",
                };
                var result = screens == 0 ? atObserver : atScreens;
                baseline ??= (result.P50, result.P99);
                var baselineName = "0 screens";
                context.Results.Add(new Figure(Name, $"p50, {label}", result.P50, Unit.Milliseconds, baselineName, baseline.Value.P50));
                context.Results.Add(new Figure(Name, $"p99, {label}", result.P99, Unit.Milliseconds, baselineName, baseline.Value.P99));
                var resyncs = clients.Sum(c => c.Resyncs) - resyncsBefore;
                resyncsBefore += resyncs;
                var delivery = screens == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"{result.Delivered:P1} of {result.Expected:N0} expected frame arrivals seen, {result.Frames:N0} frames, {resyncs} resyncs; ");
                context.Results.Note(string.Create(CultureInfo.InvariantCulture,
                    $"latency with {screens:N0} screen{(screens == 1 ? "" : "s")}: {probes.Count:N0} readings of watched sensors, {delivery}" +
                    $"at the twin observer p50 {atObserver.P50:N0} ms / p99 {atObserver.P99:N0} ms ({atObserver.Delivered:P1} seen{unseen}); " +
                    $"feed {feedRate:N0} readings/s ({feed.Failed} failed posts so far), POST {feed.TakeAckMilliseconds()}; {window.Describe(probes.Count, "watched reading")}"));
            }
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
            await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            await host.Grains.GetGrain<ITwinObserverRegistry>(0).Unregister(processId);
        }
    }

    private static async Task ConnectAsync(TwinHost host, ProbeBook book, List<ScreenClient> clients, int count, string[] districts)
    {
        if (clients.Count >= count)
        {
            return;
        }
        Progress.Say($"latency: connecting screens {clients.Count + 1:N0}..{count:N0}");
        var token = host.IocToken();
        var url = new Uri(host.Address, "/hubs/twin");
        var started = Stopwatch.GetTimestamp();
        var added = Enumerable.Range(clients.Count, count - clients.Count)
            .Select(i => new ScreenClient(url, token, $"district:{districts[i % districts.Length]}", districts[i % districts.Length], book))
            .ToList();
        await Parallel.ForEachAsync(added, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (client, ct) => await client.StartAsync(ct));
        clients.AddRange(added);
        Progress.Say($"latency: {clients.Count:N0} screens subscribed ({Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s)");
    }

    private static async Task RenewAsync(IGrainFactory grains, Guid processId, ITwinObserver reference, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            await grains.GetGrain<ITwinObserverRegistry>(0).Register(processId, reference);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private sealed record Summary(double P50, double P99, long Expected, long Seen, long Frames, HashSet<int> SeenProbes)
    {
        public double Delivered => Expected == 0 ? double.NaN : (double)Seen / Expected;
    }

    /// <summary>
    /// Where the readings the observer did not see stand: acknowledged or not, and whether their sensor grain has
    /// counted them — which tells a reading the twin did not apply from an update that did not travel.
    /// </summary>
    private static async Task<string> DescribeUnseenAsync(TwinHost host, IReadOnlyList<Probe> probes, HashSet<int> seen)
    {
        var unseen = Enumerable.Range(0, probes.Count).Where(i => !seen.Contains(i)).Select(i => probes[i]).ToList();
        if (unseen.Count == 0)
        {
            return "";
        }
        var views = await Task.WhenAll(unseen.Select(p => host.Grains.GetGrain<ISensorGrain>(p.SensorId).Get()));
        var counted = unseen.Zip(views).Count(pair => pair.Second?.ReadingCount >= pair.First.Count);
        var acknowledged = unseen.Count(p => p.Acknowledged is not null);
        return string.Create(CultureInfo.InvariantCulture,
            $"; not seen {unseen.Count:N0}: {acknowledged:N0} acknowledged, {counted:N0} counted by their sensor grain");
    }

    private static Summary Summarise(IReadOnlyList<Probe> probes, IReadOnlyList<IProbeReceiver> receivers)
    {
        var latencies = new List<double>();
        var seenProbes = new HashSet<int>();
        long expected = 0, frames = 0;
        var byDistrict = receivers.GroupBy(r => r.DistrictId).ToDictionary(g => g.Key ?? "", g => g.Count());
        foreach (var probe in probes)
        {
            expected += byDistrict.GetValueOrDefault(probe.DistrictId) + byDistrict.GetValueOrDefault("");
        }
        foreach (var receiver in receivers)
        {
            frames += receiver.Frames;
            foreach (var (probe, arrived) in receiver.TakeArrivals())
            {
                if (probe < probes.Count && probes[probe].Acknowledged is { } ack)
                {
                    seenProbes.Add(probe);
                    latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(ack, arrived).TotalMilliseconds));
                }
            }
        }
        latencies.Sort();
        return new Summary(Percentile(latencies, 0.50), Percentile(latencies, 0.99), expected, latencies.Count, frames, seenProbes);
    }

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    // ------------------------------------------------------------------ probes

    /// <summary>A reading of a watched sensor: the count it brings the sensor to, and when its POST was acknowledged.</summary>
    private sealed class Probe(string sensorId, string districtId, long count)
    {
        public string SensorId { get; } = sensorId;
        public string DistrictId { get; } = districtId;
        public long Count { get; } = count;
        public long? Acknowledged { get; set; }
    }

    /// <summary>The readings of watched sensors sent during a round, and each sensor's latest.</summary>
    private sealed class ProbeBook(IEnumerable<(string Id, long Count)> initial)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, long> _counts = initial.ToDictionary(s => s.Id, s => s.Count, StringComparer.Ordinal);
        private readonly Dictionary<string, int> _latest = new(StringComparer.Ordinal);
        private List<Probe> _probes = [];
        private bool _recording;
        private int _round;

        public bool IsWatched(string sensorId) => _counts.ContainsKey(sensorId);

        /// <summary>Notes that a reading of the sensor is being sent; returns its probe while a round records.</summary>
        public Probe? Sending(string sensorId, string districtId)
        {
            lock (_gate)
            {
                var count = ++_counts[sensorId];
                if (!_recording)
                {
                    _latest.Remove(sensorId);
                    return null;
                }
                var probe = new Probe(sensorId, districtId, count);
                _latest[sensorId] = _probes.Count;
                _probes.Add(probe);
                return probe;
            }
        }

        /// <summary>The probe a sensor at this reading count satisfies (the sensor's latest), as (round, index).</summary>
        public (int Round, int Index)? Match(string sensorId, long readingCount)
        {
            lock (_gate)
            {
                return _latest.TryGetValue(sensorId, out var index) && _probes[index].Count <= readingCount ? (_round, index) : null;
            }
        }

        public void StartRound()
        {
            lock (_gate)
            {
                _round++;
                _probes = [];
                _latest.Clear();
                _recording = true;
            }
        }

        public IReadOnlyList<Probe> EndRound()
        {
            lock (_gate)
            {
                _recording = false;
                return _probes;
            }
        }

        public int Round
        {
            get
            {
                lock (_gate)
                {
                    return _round;
                }
            }
        }
    }

    private interface IProbeReceiver
    {
        /// <summary>The one district this receiver watches; null when it sees them all.</summary>
        string? DistrictId { get; }

        long Frames { get; }

        /// <summary>Arrivals of the current round, as (probe index, Stopwatch timestamp).</summary>
        List<(int Probe, long Arrived)> TakeArrivals();
    }

    /// <summary>Records, for one receiver, the first arrival of each probe of the current round.</summary>
    private sealed class ArrivalLog(ProbeBook book)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, int> _matched = new(StringComparer.Ordinal);
        private List<(int, long)> _arrivals = [];
        private int _round;

        public long Frames;

        public void Saw(string sensorId, long readingCount, long now)
        {
            if (book.Match(sensorId, readingCount) is not { } match)
            {
                return;
            }
            lock (_gate)
            {
                if (match.Round != _round)
                {
                    _round = match.Round;
                    _arrivals = [];
                    _matched.Clear();
                }
                if (!_matched.TryGetValue(sensorId, out var last) || last != match.Index)
                {
                    _matched[sensorId] = match.Index;
                    _arrivals.Add((match.Index, now));
                }
            }
        }

        public List<(int, long)> TakeArrivals()
        {
            lock (_gate)
            {
                var arrivals = _round == book.Round ? _arrivals : [];
                _arrivals = [];
                _matched.Clear();
                return arrivals;
            }
        }
    }

    /// <summary>A second twin observer in the API process: sees updates where the SignalR fan-out starts.</summary>
    private sealed class ProbeObserver(ProbeBook book, HashSet<string> districts) : ITwinObserver, IProbeReceiver
    {
        private readonly ArrivalLog _log = new(book);
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstUpdate => _first.Task;

        public string? DistrictId => null;

        public long Frames => Interlocked.Read(ref _log.Frames);

        public Task OnScenario(ScenarioProgress progress) => Task.CompletedTask;

        public Task OnUpdates(DistrictUpdate[] updates, CityView? city)
        {
            var now = Stopwatch.GetTimestamp();
            _first.TrySetResult();
            Interlocked.Increment(ref _log.Frames);
            foreach (var district in updates)
            {
                if (!districts.Contains(district.DistrictId))
                {
                    continue;
                }
                foreach (var sensor in district.Sensors)
                {
                    _log.Saw(sensor.Id, sensor.ReadingCount, now);
                }
            }
            return Task.CompletedTask;
        }

        public List<(int Probe, long Arrived)> TakeArrivals() => _log.TakeArrivals();
    }

    // ------------------------------------------------------------------ screens

    /// <summary>What a screen reads of a delta frame: only the sensors' ids and reading counts.</summary>
    private sealed record ProbeFrame(List<ProbeSensor>? Sensors);

    private sealed record ProbeSensor(string Id, long Version);

    private sealed record SnapshotHeader(string Scope, long Sequence);

    /// <summary>One screen: a SignalR connection subscribed to one district scope.</summary>
    private sealed class ScreenClient : IProbeReceiver, IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly string _scope;
        private readonly ArrivalLog _log;
        private int _resyncs;

        public ScreenClient(Uri url, string token, string scope, string districtId, ProbeBook book)
        {
            _scope = scope;
            _log = new ArrivalLog(book);
            DistrictId = districtId;
            _connection = new HubConnectionBuilder()
                .WithUrl(url, o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
                .Build();
            // All screens share this process's two cores with the server: be patient with keep-alives.
            _connection.ServerTimeout = TimeSpan.FromMinutes(2);
            _connection.HandshakeTimeout = TimeSpan.FromMinutes(1);
            _connection.On<ProbeFrame>("delta", frame =>
            {
                var now = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _log.Frames);
                foreach (var sensor in frame.Sensors ?? [])
                {
                    _log.Saw(sensor.Id, sensor.Version, now);
                }
            });
            _connection.On<JsonElement>("resync", _ => Interlocked.Increment(ref _resyncs));
        }

        public string? DistrictId { get; }

        public long Frames => Interlocked.Read(ref _log.Frames);

        public int Resyncs => Volatile.Read(ref _resyncs);

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await _connection.StartAsync(cancellationToken);
            await _connection.InvokeAsync<SnapshotHeader>("Subscribe", _scope, cancellationToken);
        }

        public List<(int Probe, long Arrived)> TakeArrivals() => _log.TakeArrivals();

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    // ------------------------------------------------------------------ feed

    /// <summary>Posts readings at a steady rate, ten batches a second, across every sensor of the city in turn.</summary>
    private sealed class Feed(TwinHost host, CitySpec city, ProbeBook book, double readingsPerSecond)
    {
        private readonly List<double> _ackMilliseconds = [];
        private long _sent;
        private long _failed;

        public long Failed => Interlocked.Read(ref _failed);

        /// <summary>Readings acknowledged so far.</summary>
        public long Sent => Interlocked.Read(ref _sent);

        /// <summary>How long POSTs took to be acknowledged since the last call: p50, p99 and the slowest.</summary>
        public string TakeAckMilliseconds()
        {
            lock (_ackMilliseconds)
            {
                _ackMilliseconds.Sort();
                var text = string.Create(CultureInfo.InvariantCulture,
                    $"p50 {Percentile(_ackMilliseconds, 0.5):N1} ms / p99 {Percentile(_ackMilliseconds, 0.99):N1} ms / max {(_ackMilliseconds.Count == 0 ? double.NaN : _ackMilliseconds[^1]):N1} ms");
                _ackMilliseconds.Clear();
                return text;
            }
        }

        public Task RunAsync(CancellationToken cancellationToken) =>
            PacedFeed.RunAsync(host, city, readingsPerSecond, (http, batch, sensors) =>
            {
                var probes = new List<Probe>();
                foreach (var sensor in sensors)
                {
                    if (book.IsWatched(sensor.Id) && book.Sending(sensor.Id, sensor.DistrictId) is { } probe)
                    {
                        probes.Add(probe);
                    }
                }
                return PostAsync(http, Readings.Json(batch), batch.Count, probes);
            }, cancellationToken);

        private async Task PostAsync(HttpClient http, byte[] body, int count, List<Probe> probes)
        {
            var started = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync("/api/v1/readings", content);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _failed);
                return;
            }
            using var _ = response;
            var acknowledged = Stopwatch.GetTimestamp();
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _failed);
                return;
            }
            foreach (var probe in probes)
            {
                probe.Acknowledged = acknowledged;
            }
            Interlocked.Add(ref _sent, count);
            lock (_ackMilliseconds)
            {
                _ackMilliseconds.Add(Stopwatch.GetElapsedTime(started, acknowledged).TotalMilliseconds);
            }
        }
    }
}
