using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IocTwin.Telemetry;

/// <summary>The twin's own metrics and traces, beside Orleans' and ASP.NET Core's, exported with OpenTelemetry.</summary>
public static class TwinTelemetry
{
    public const string Name = "IocTwin";

    public static readonly Meter Meter = new(Name);
    public static readonly ActivitySource Activities = new(Name);

    public static readonly Counter<long> ReadingsAccepted =
        Meter.CreateCounter<long>("ioctwin.readings.accepted", "{reading}", "Readings stored in history and handed to their sensors.");

    public static readonly Counter<long> ReadingsRejected =
        Meter.CreateCounter<long>("ioctwin.readings.rejected", "{reading}", "Readings refused item by item.");

    public static readonly Counter<long> ReadingsRefused =
        Meter.CreateCounter<long>("ioctwin.readings.refused", "{reading}", "Readings of batches refused whole because the ingest budget stayed full (push-back).");

    public static readonly Counter<long> MqttRejected =
        Meter.CreateCounter<long>("ioctwin.mqtt.rejected", "{message}", "MQTT messages refused: malformed payloads, invalid readings, unknown sensors.");

    public static readonly Counter<long> FramesSent =
        Meter.CreateCounter<long>("ioctwin.push.frames", "{frame}", "Delta frames queued for screens.");

    public static readonly Counter<long> Resyncs =
        Meter.CreateCounter<long>("ioctwin.push.resyncs", "{resync}", "Screens told to resync after falling behind.");

    public static readonly Counter<long> StallCloses =
        Meter.CreateCounter<long>("ioctwin.push.stall_closes", "{connection}", "Screens closed for taking no frame longer than the stall allowed.");

    public static readonly Counter<long> RefusedSubscriptions =
        Meter.CreateCounter<long>("ioctwin.push.refused", "{call}", "Hub calls refused (forbidden, unknown, invalid or over a limit), by reason.");

    public static readonly Counter<long> HeldDistrictReads =
        Meter.CreateCounter<long>("ioctwin.push.held_reads", "{area}", "Areas an API process read from their grains into the state it holds for city and sector snapshots.");

    public static readonly Counter<long> NgsiNotificationsSent =
        Meter.CreateCounter<long>("ioctwin.ngsild.notifications.sent", "{notification}", "NGSI-LD notifications a receiver took, by subscription.");

    public static readonly Counter<long> NgsiNotificationsFailed =
        Meter.CreateCounter<long>("ioctwin.ngsild.notifications.failed", "{attempt}", "NGSI-LD notification attempts that failed (refused, timed out, answered an error), by subscription.");

    public static readonly Counter<long> NgsiNotificationsDropped =
        Meter.CreateCounter<long>("ioctwin.ngsild.notifications.dropped", "{entity}", "Entities never notified: pushed out of a full queue or given up after the last retry, by subscription.");

    public static readonly Histogram<double> NgsiNotificationLatency =
        Meter.CreateHistogram<double>("ioctwin.ngsild.notifications.duration", "ms", "How long a receiver took to answer a notification POST.");

    public static readonly Histogram<double> PushLag =
        Meter.CreateHistogram<double>("ioctwin.push.lag", "ms", "From the twin hearing from a sensor to the frame carrying it leaving for screens.");

    /// <summary>
    /// Whether grain calls carry trace context and become spans. Off, no call filter runs for tracing: a filter on
    /// every call, even one that finds nothing to propagate, costs each call an invoker of its own.
    /// </summary>
    public static bool TracesGrainCalls(this IConfiguration configuration) =>
        configuration.GetValue("Twin:Telemetry:TraceGrainCalls", false);

    /// <summary>
    /// Room for this many tag combinations in each metric of Orleans, the .NET runtime and ASP.NET Core's middleware,
    /// whose tags name a few kinds of things each (grain types, message directions, limiter policies). A metric stream
    /// holds room for its limit from the start: at the default of 2,000 the 157 metrics took ~23 MB of heap per
    /// process. The twin's own metrics (each NGSI-LD subscription has its own) and the HTTP requests' (route by method
    /// by status) keep the default.
    /// </summary>
    public const int FewTagCombinations = 200;

    /// <summary>
    /// Orleans gauges whose every reading walks every activation (the pending requests of all of them, under the lock a
    /// new activation takes too) or every directory cache entry: on a silo of a million sensors one reading took most
    /// of a core for seconds (benchmark row 9), so a scrape every few seconds would keep it busy. The activation count
    /// stays (<c>orleans-catalog-activations</c>, a counter read).
    /// </summary>
    private static readonly HashSet<string> WalkEveryActivation = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans-messaging-processing-activation-data",
        "orleans-directory-cache-size",
    };

    private static MetricStreamConfiguration? SmallerStreams(Instrument instrument) =>
        WalkEveryActivation.Contains(instrument.Name) ? MetricStreamConfiguration.Drop
        : instrument.Meter.Name is Name or "Microsoft.AspNetCore.Hosting" ? null
        : new MetricStreamConfiguration { CardinalityLimit = FewTagCombinations };

    /// <summary>Metrics and traces of the twin, Orleans and the .NET runtime; hosts add their own exporters and instrumentation.</summary>
    /// <remarks>
    /// Traces are sampled: <c>Twin:Telemetry:TraceSampleRatio</c> of the requests that start a trace (1 % unless
    /// set). Grain calls carry trace context and become spans only with <c>Twin:Telemetry:TraceGrainCalls</c>.
    /// </remarks>
    public static IServiceCollection AddTwinTelemetry(this IServiceCollection services, string serviceName, IConfiguration configuration,
        Action<MeterProviderBuilder>? metrics = null, Action<TracerProviderBuilder>? tracing = null)
    {
        var sampleRatio = Math.Clamp(configuration.GetValue("Twin:Telemetry:TraceSampleRatio", 0.01), 0, 1);
        var traceGrainCalls = configuration.TracesGrainCalls();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(builder =>
            {
                builder.AddMeter(Name, "Microsoft.Orleans").AddRuntimeInstrumentation().AddView(SmallerStreams);
                metrics?.Invoke(builder);
            })
            .WithTracing(builder =>
            {
                builder.AddSource(Name).SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(sampleRatio)));
                if (traceGrainCalls)
                {
                    builder.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application");
                }
                tracing?.Invoke(builder);
            });
        return services;
    }
}
