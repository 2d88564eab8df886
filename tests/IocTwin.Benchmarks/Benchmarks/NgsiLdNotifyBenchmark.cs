using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Benchmarks.Harness;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 3b. NGSI-LD notification latency. 100 subscriptions, each on one traffic counter's TrafficFlowObserved (ten counters
/// in each of ten districts), notify a receiver in this process; a feed of readings across the whole city through
/// POST /api/v1/readings. Latency: the POST acknowledged → the notification carrying the counter at the receiver. The
/// baseline is the same readings reaching screens (one SignalR client per district, <see cref="ScreenClient"/>) in the
/// same run. A notification is matched to the counter's latest reading sent in the round (a counter gets a reading every
/// few seconds at most, far apart from the latencies measured).
/// </summary>
public static class NgsiLdNotifyBenchmark
{
    public const string Name = "ngsi-ld-notify";
    public const int Subscriptions = 100;
    private const double TargetP99Milliseconds = 1_000;

    /// <summary>The twin setting that lets the receiver on loopback be notified.</summary>
    public static readonly KeyValuePair<string, string?> AllowLoopback = new("NgsiLd:Notifications:AllowedEndpoints:0", "127.0.0.1");

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var host = context.Host;
        var city = context.City;
        var districts = city.Districts.Where((_, i) => i % Math.Max(1, city.Districts.Count / 10) == 0).Take(10).Select(d => d.Id).ToArray();
        var perDistrict = Math.Max(1, Subscriptions / districts.Length);
        var counters = districts.SelectMany(d => city.Sensors.Where(s => s.DistrictId == d && s.Kind == SensorKind.TrafficCounter).Take(perDistrict)).ToList();
        var counts = await Task.WhenAll(counters.Select(s => host.Grains.GetGrain<ISensorGrain>(s.Id).Get()));
        var book = new ProbeBook(counters.Zip(counts, (s, view) => (s.Id, view!.ReadingCount)));

        using var receiver = new NotificationProbe(book);
        using var http = host.CreateIngestClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.IocToken());
        var ids = new List<string>();
        foreach (var counter in counters)
        {
            var body = $$"""
                { "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved", "id": "urn:ngsi-ld:TrafficFlowObserved:{{counter.Id}}" } ],
                  "notification": { "format": "keyValues", "attributes": ["dateObserved"], "endpoint": { "uri": "{{receiver.Url}}" } } }
                """;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ngsi-ld/v1/subscriptions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Link", "<https://smartdatamodels.org/context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"subscription refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            ids.Add(response.Headers.Location!.ToString());
        }

        var screens = districts.Select(d => new ScreenClient(new Uri(host.Address, "/hubs/twin"), host.IocToken(), $"district:{d}", d, book)).ToList();
        using var stop = new CancellationTokenSource();
        var feed = new LatencyFeed(host, city, book, options.NotifyFeedReadingsPerSecond);
        var feeding = feed.RunAsync(stop.Token);
        try
        {
            await Task.WhenAll(screens.Select(s => s.StartAsync(CancellationToken.None)));
            Progress.Say($"ngsi-ld-notify: {ids.Count} subscriptions, feed of {options.NotifyFeedReadingsPerSecond:N0} readings/s across {city.Sensors.Count:N0} sensors");
            await Task.Delay(options.LatencyFeedWarmup);
            var before = context.Counters.Take();
            book.StartRound();
            await Task.Delay(options.LatencyWindow);
            var probes = book.EndRound();
            var window = context.Counters.Take().Since(before);
            await Task.Delay(options.LatencyGrace);

            var atScreens = LatencySummary.Of(probes, [.. screens]);
            var atReceiver = LatencySummary.Of(probes, [receiver]);
            context.Results.Add(new Figure(Name, "p50, 100 subscriptions: reading → notification received", atReceiver.P50, Unit.Milliseconds, "reading → SignalR frame", atScreens.P50));
            context.Results.Add(new Figure(Name, "p99, 100 subscriptions: reading → notification received", atReceiver.P99, Unit.Milliseconds, "reading → SignalR frame", atScreens.P99)
            {
                Target = $"< {TargetP99Milliseconds:N0} ms",
                Met = atReceiver.P99 < TargetP99Milliseconds,
            });
            context.Results.Note(string.Create(CultureInfo.InvariantCulture,
                $"ngsi-ld-notify: {probes.Count:N0} readings of subscribed counters; {atReceiver.Delivered:P1} notified ({receiver.Frames:N0} notifications), " +
                $"{atScreens.Delivered:P1} at screens; feed POST {feed.TakeAckMilliseconds()} ({feed.Failed} failed posts); {window.Describe(probes.Count, "subscribed reading")}"));
        }
        finally
        {
            stop.Cancel();
            await feeding.ContinueWith(_ => { }, TaskScheduler.Default);
            await Task.WhenAll(screens.Select(s => s.DisposeAsync().AsTask()));
            foreach (var id in ids)
            {
                await http.DeleteAsync(id);
            }
        }
    }

    /// <summary>The receiver: an HTTP listener on loopback noting when each counter's notification arrives.</summary>
    private sealed class NotificationProbe : IProbeReceiver, IDisposable
    {
        private readonly ArrivalLog _log;
        private readonly LoopbackReceiver _receiver;

        public NotificationProbe(ProbeBook book)
        {
            _log = new ArrivalLog(book);
            _receiver = new LoopbackReceiver(Saw);
        }

        public string Url => _receiver.Url;

        public string? DistrictId => null;

        public long Frames => Interlocked.Read(ref _log.Frames);

        public List<(int Probe, long Arrived)> TakeArrivals() => _log.TakeArrivals();

        private void Saw(LoopbackRequest request)
        {
            Interlocked.Increment(ref _log.Frames);
            if (request.Body["data"] is JsonArray data)
            {
                foreach (var id in data.Select(e => (string?)e?["id"]).OfType<string>())
                {
                    _log.Saw(id[(id.LastIndexOf(':') + 1)..], long.MaxValue, request.ArrivedAt);
                }
            }
        }

        public void Dispose() => _receiver.Dispose();
    }
}
