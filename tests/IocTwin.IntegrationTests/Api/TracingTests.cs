using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>The API with grain calls traced, as an operator turns it on to follow a request through the cluster.</summary>
public sealed class TracedTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:Telemetry:TraceGrainCalls"] = "true",
    };
}

/// <summary>Records the activities of one trace, whatever source makes them.</summary>
internal sealed class TraceRecorder : IDisposable
{
    private readonly ActivityListener _listener;

    public ActivityTraceId TraceId { get; } = ActivityTraceId.CreateRandom();
    public ConcurrentQueue<Activity> Activities { get; } = new();

    public TraceRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent.TraceId == TraceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == TraceId)
                {
                    Activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Posts readings as a caller already in this trace does: its context in a W3C traceparent header.</summary>
    public async Task PostReadingsInTrace(HttpClient http, params object[] items)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/readings")
        {
            Content = new StringContent(JsonSerializer.Serialize(items), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{TraceId}-{ActivitySpanId.CreateRandom()}-01");
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    public string[] GrainCallSpans() =>
        [.. Activities.Where(a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)).Select(a => a.DisplayName)];

    public void Dispose() => _listener.Dispose();
}

public sealed class GrainCallTracingTests(TracedTwinApiFactory api) : IClassFixture<TracedTwinApiFactory>
{
    [Fact]
    public async Task With_grain_calls_traced_an_ingest_request_shows_its_sensor_call_in_the_callers_trace()
    {
        var (_, counter) = await api.Http.CountedSegment("hai-chau");
        using var trace = new TraceRecorder();

        await trace.PostReadingsInTrace(api.Http, Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 33 }));

        var spans = await Eventually.Until(() => Task.FromResult(trace.GrainCallSpans()),
            names => names.Any(n => n.Contains("SensorGrain", StringComparison.Ordinal)), TimeSpan.FromSeconds(10),
            "the sensor call in the caller's trace");
        Assert.Contains(trace.Activities, a => a.OperationName == "ingest");
        Assert.Contains(spans, n => n.Contains("Record", StringComparison.Ordinal));
    }
}

[Collection(TwinApiCollection.Name)]
public sealed class UntracedGrainCallTests(TwinApiFactory api)
{
    [Fact]
    public async Task By_default_grain_calls_carry_no_trace_while_the_request_is_still_traced()
    {
        var (_, counter) = await api.Http.CountedSegment("hai-chau");
        using var trace = new TraceRecorder();

        await trace.PostReadingsInTrace(api.Http, Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 34 }));
        await Eventually.Until(() => api.Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}"),
            sensor => sensor.LastReading?.Values.GetValueOrDefault("speed") == 34, TimeSpan.FromSeconds(10), "the reading applied");

        Assert.Contains(trace.Activities, a => a.OperationName == "ingest");
        Assert.Empty(trace.GrainCallSpans());
    }
}
