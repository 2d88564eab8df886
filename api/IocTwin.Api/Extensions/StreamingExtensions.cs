using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

namespace IocTwin.Api.Extensions;

public static class StreamingExtensions
{
    public static WebApplicationBuilder AddTwinStreaming(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<StreamingOptions>(builder.Configuration.GetSection(StreamingOptions.SectionName));
        builder.Services.AddSignalR()
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .AddMessagePackProtocol();
        builder.Services.AddSingleton<TwinHubLifetimeManager>();
        builder.Services.AddSingleton<HubLifetimeManager<TwinHub>>(services => services.GetRequiredService<TwinHubLifetimeManager>());
        builder.Services.AddSingleton<ScopeDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ScopeDispatcher>());
        builder.Services.AddSingleton<TwinObserver>();
        builder.Services.AddSingleton<TwinSnapshots>();
        builder.Services.AddHostedService<ObserverRegistrationService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTwinHub(this IEndpointRouteBuilder app)
    {
        var buffer = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<StreamingOptions>>().Value.ConnectionBufferBytes;
        app.MapHub<TwinHub>("/hubs/twin", (HttpConnectionDispatcherOptions o) =>
        {
            // Small buffers make a client that stops reading push back at once, so it is resynced, not buffered.
            o.ApplicationMaxBufferSize = buffer;
            o.TransportMaxBufferSize = buffer;
        });
        return app;
    }
}
