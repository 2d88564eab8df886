using IocTwin.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IocTwin.Hosting;

public static class HistoryHostingExtensions
{
    /// <summary>
    /// The process's one history store, started and stopped with the host, served as <see cref="IReadingHistory"/>;
    /// registered once whoever asks first. Its schema is applied by <see cref="Persistence.SchemaInstaller"/>.
    /// </summary>
    public static IServiceCollection AddReadingHistory(this IServiceCollection services, TwinHostingOptions hosting)
    {
        if (services.Any(s => s.ServiceType == typeof(ReadingHistory)))
        {
            return services;
        }
        services.AddSingleton(sp => new ReadingHistory(hosting.History, sp.GetRequiredService<ILogger<ReadingHistory>>()));
        services.AddSingleton<IReadingHistory>(sp => sp.GetRequiredService<ReadingHistory>());
        services.AddHostedService(sp => sp.GetRequiredService<ReadingHistory>());
        return services;
    }
}
