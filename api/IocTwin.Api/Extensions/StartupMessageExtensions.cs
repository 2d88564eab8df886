using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IocTwin.Api.Extensions;

public static class StartupMessageExtensions
{
    /// <summary>Tells the person who started the twin where to point the browser.</summary>
    public static WebApplication AnnounceUrls(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine($"IocTwin is running: open {address}");
            }
        });
        return app;
    }
}
