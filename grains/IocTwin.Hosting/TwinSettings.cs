using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Hosting.Sectors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace IocTwin.Hosting;

/// <summary>The one place the "Twin" configuration section is bound, for every process kind.</summary>
public static class TwinSettings
{
    public const string SectionName = "Twin";

    /// <summary>
    /// Where the twin keeps its state and how this process reaches the grains, bound once per host: every part of the
    /// process (silo, history, audit, API) reads the same instance, registered as a singleton. The grains' timing
    /// options (<see cref="TwinOptions"/>) are bound from the same section at the same time.
    /// </summary>
    public static TwinHostingOptions GetTwinHosting(this IHostApplicationBuilder builder)
    {
        if (builder.Properties.TryGetValue(typeof(TwinHostingOptions), out var bound))
        {
            return (TwinHostingOptions)bound;
        }
        var section = builder.Configuration.GetSection(SectionName);
        var hosting = section.Get<TwinHostingOptions>() ?? new TwinHostingOptions();
        builder.Properties[typeof(TwinHostingOptions)] = hosting;
        builder.Services.AddSingleton(hosting);
        builder.Services.Configure<TwinOptions>(section);
        builder.Services.Configure<IngestBudgetOptions>(builder.Configuration.GetSection(IngestBudgetOptions.SectionName));
        // Read here, first, so that an unknown zone stops the start before anything else is set up.
        builder.Services.TryAddSingleton(TwinTimeZone.Parse(builder.Configuration[TwinTimeZone.SettingName]));
        // The city's sectors and kinds: configured ones now, so nothing starts on the wrong catalogue; the one the IOC
        // stored through the admin API as soon as the cluster answers.
        if (SectorSettings.Read(builder.Configuration) is { } configured)
        {
            SectorCatalog.Use(new SectorCatalog(configured));
        }
        builder.Services.TryAddSingleton<SectorCatalogFollower>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SectorCatalogFollower>(sp => sp.GetRequiredService<SectorCatalogFollower>()));
        return hosting;
    }
}
