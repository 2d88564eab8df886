using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using IocTwin.Api.Streaming.Shared;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

namespace IocTwin.Api.Extensions;

public static class StreamingExtensions
{
    public static WebApplicationBuilder AddTwinStreaming(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(StreamingOptions.SectionName);
        builder.Services.Configure<StreamingOptions>(section);
        var streaming = section.Get<StreamingOptions>() ?? new StreamingOptions();
        builder.Services.AddSignalR(o =>
            {
                o.MaximumParallelInvocationsPerClient = Math.Max(1, streaming.ParallelCallsPerConnection);
                o.AddFilter<HubRefusals>();
                // A screen frozen for the whole stall and grace sends no ping meanwhile: the server keeps waiting for it,
                // so that the stall rule, not the ping timeout, decides when it goes.
                o.ClientTimeoutInterval = Max(TimeSpan.FromSeconds(30), streaming.MaxStall + streaming.CloseGrace + TimeSpan.FromSeconds(15));
            })
            .AddJsonProtocol(o =>
            {
                TwinJson.Configure(o.PayloadSerializerOptions);
                // A city snapshot's records are serialised once and shared by every subscriber (SharedSnapshot).
                o.PayloadSerializerOptions.Converters.Add(new SharedListJsonConverter<DistrictView>());
                o.PayloadSerializerOptions.Converters.Add(new SharedListJsonConverter<SegmentView>());
                o.PayloadSerializerOptions.Converters.Add(new SharedListJsonConverter<SensorView>());
            })
            .AddMessagePackProtocol(o => o.SerializerOptions = o.SerializerOptions.WithResolver(HubMessagePack.Resolver(o.SerializerOptions.Resolver)));
        // Every failed hub call is logged by HubRefusals: a refusal as a warning, anything else at error with its stack.
        // SignalR's dispatcher would log each again at error, with the stack trace: only its warnings are kept.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", level => level is LogLevel.Warning);
        builder.Services.AddSingleton<TwinHubLifetimeManager>();
        builder.Services.AddSingleton<HubLifetimeManager<TwinHub>>(services => services.GetRequiredService<TwinHubLifetimeManager>());
        builder.Services.AddSingleton<ScopeDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ScopeDispatcher>());
        builder.Services.AddSingleton<TwinObserver>();
        builder.Services.AddSingleton<ObserverHearing>();
        builder.Services.AddSingleton<HeldTwin>();
        builder.Services.AddSingleton<HeldAssets>();
        builder.Services.AddSingleton<TwinSnapshots>();
        builder.Services.AddSingleton<TopologyChanges>();
        builder.Services.AddHostedService<ObserverRegistrationService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTwinHub(this IEndpointRouteBuilder app)
    {
        var streaming = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<StreamingOptions>>().Value;
        app.MapHub<TwinHub>("/hubs/twin", (HttpConnectionDispatcherOptions o) =>
        {
            // Small buffers make a client that stops reading push back at once, so it is resynced, not buffered.
            o.ApplicationMaxBufferSize = streaming.ConnectionBufferBytes;
            o.TransportMaxBufferSize = streaming.ConnectionBufferBytes;
            // The transport would drop a client whose send waits longer than this (10 s by default) without a word:
            // the stall rule closes it first, with a reason (ScopeDispatcher.CloseStalledClients).
            o.TransportSendTimeout = streaming.MaxStall + streaming.CloseGrace + TimeSpan.FromSeconds(10);
        });
        return app;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
