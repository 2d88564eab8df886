using System.Net;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Persistence;
using IocTwin.Telemetry;
using IocTwin.Topology;
using Orleans.Dashboard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace IocTwin.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>The Orleans dashboard's grain method profiler, a call filter on every grain call.</summary>
    private const string DashboardProfilerFilter = "Orleans.Dashboard.Implementation.GrainProfilerFilter";

    /// <summary>Whether the silo runs the Orleans dashboard (<c>Twin:Dashboard:Enabled</c>, on unless set false).</summary>
    public static bool DashboardEnabled(this IConfiguration configuration) => configuration.GetValue("Twin:Dashboard:Enabled", true);

    /// <summary>Hosts an IocTwin silo: schema first, then Orleans, then the sample city if the twin is empty.</summary>
    public static IHostApplicationBuilder AddIocTwinSilo(this IHostApplicationBuilder builder)
    {
        var hosting = builder.GetTwinHosting();
        builder.Services.AddTwinGrainServices();

        // Hosted services start in order: the schema must exist before the silo joins the cluster.
        builder.Services.AddHostedService(sp => new SchemaInitializer(hosting, sp.GetRequiredService<ILogger<SchemaInitializer>>()));
        // Before Orleans: history stops after the silo, so nothing handed to it during shutdown is dropped.
        builder.Services.AddReadingHistory(hosting);
        builder.Services.AddTwinTelemetry("ioctwin-silo", builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.AddTwinStorage(hosting);
            if (builder.Configuration.TracesGrainCalls())
            {
                silo.AddActivityPropagation();
            }
            // Each counter sample reads every Orleans instrument, and the activation count and the directory cache's
            // size walk every activation and cache entry: on a silo of 600,000 grains one sample took seconds of CPU.
            // Every 30 s by default; a small silo may sample faster, a very big one slower or not at all.
            if (builder.Configuration.DashboardEnabled())
            {
                silo.AddDashboard(o =>
                {
                    o.CounterUpdateIntervalMs = 30_000;
                    builder.Configuration.GetSection("Twin:Dashboard").Bind(o);
                });
            }
            if (builder.Configuration.DashboardEnabled() && !builder.Configuration.GetValue("Twin:Dashboard:ProfileGrainMethods", true))
            {
                // The dashboard times grain methods through a call filter, and any filter costs every grain call an
                // invoker and an async step, watched or not: ingest makes a sensor call per reading. Off, the
                // dashboard shows everything but its per-method timings.
                foreach (var profiler in silo.Services.Where(d => d.ServiceType == typeof(IIncomingGrainCallFilter) &&
                    d.ImplementationType?.FullName == DashboardProfilerFilter).ToList())
                {
                    silo.Services.Remove(profiler);
                }
            }
            // Failure detection and call timeouts can be tightened per deployment (and are, in fault tests).
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Twin:Membership"));
            silo.Services.Configure<SiloMessagingOptions>(builder.Configuration.GetSection("Twin:Messaging"));
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = hosting.ClusterId;
                o.ServiceId = hosting.ServiceId;
            });
            if (hosting.Clustering == ClusteringKind.AdoNet)
            {
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = SchemaInstaller.PostgreSqlInvariant;
                    o.ConnectionString = hosting.ConnectionString;
                });
                var advertised = hosting.AdvertisedAddress is { Length: > 0 } address
                    ? Dns.GetHostAddresses(address).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    : IPAddress.Loopback;
                silo.ConfigureEndpoints(advertised, hosting.SiloPort, hosting.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.UseLocalhostClustering(hosting.SiloPort, hosting.GatewayPort, serviceId: hosting.ServiceId, clusterId: hosting.ClusterId);
            }
        });
        builder.Services.AddSingleton(new SampleCityLoad(hosting.SeedSampleCity));
        if (hosting.SeedSampleCity)
        {
            builder.Services.AddHostedService<SampleCitySeeder>();
        }
        return builder;
    }

    /// <summary>Services the grains need, whatever hosts them (a silo, or a test cluster).</summary>
    public static IServiceCollection AddTwinGrainServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddTwinRollup();
        services.AddTwinWriteBehind();
        return services;
    }

    public static ISiloBuilder AddTwinStorage(this ISiloBuilder silo, TwinHostingOptions hosting)
    {
        SchemaInstaller.RegisterProviderFactories();
        var sqlite = hosting.Storage == StorageKind.Sqlite;
        // The provider itself runs under a name of its own: the twin's storage wraps it (see below).
        var providerName = TwinStorage.Name + (sqlite ? "-sqlite" : "-postgresql");
        silo.AddAdoNetGrainStorage(providerName, o =>
        {
            o.Invariant = sqlite ? SchemaInstaller.SqliteInvariant : SchemaInstaller.PostgreSqlInvariant;
            o.ConnectionString = hosting.ConnectionString;
        });
        // Orleans' own binary format: compact, fast and version-tolerant through the [Id] attributes on state classes.
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(providerName)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        silo.Services.AddSingleton(sp => new AdoGrainRowKeys(providerName,
            sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(providerName),
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value));
        // An import stores its new segments and sensors a batch at a time, in the provider's own rows.
        silo.Services.AddSingleton<IGrainStateBatchWriter>(sp => new SqlGrainStateBatchWriter(hosting.Storage, hosting.ConnectionString,
            sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(providerName), sp.GetRequiredService<AdoGrainRowKeys>()));
        // Grains activating together read their rows a group per statement (see BatchedReadGrainStorage); on SQLite,
        // which takes one writer at a time, writes queue for one loop that writes those waiting together a group per
        // transaction (see SingleWriterGrainStorage).
        silo.Services.AddKeyedSingleton<IGrainStorage>(TwinStorage.Name, (sp, _) =>
        {
            var rows = sp.GetRequiredKeyedService<IGrainStorage>(providerName);
            var keys = sp.GetRequiredService<AdoGrainRowKeys>();
            var serializer = sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(providerName).GrainStorageSerializer;
            var writes = sqlite ? new SingleWriterGrainStorage(rows, hosting.ConnectionString, sp.GetRequiredService<DeepCopier>(), keys, serializer) : rows;
            return new BatchedReadGrainStorage(writes, keys, serializer,
                sp.GetRequiredService<IActivatorProvider>(), new SqlGrainStateReader(hosting.Storage, hosting.ConnectionString, keys.ServiceId));
        });
        if (sqlite)
        {
            silo.Services.PostConfigure<TwinOptions>(o => o.InterleaveWriteBehind = true);
        }
        return silo;
    }
}

/// <summary>Applies the schema migrations not yet applied before the silo starts.</summary>
internal sealed class SchemaInitializer(TwinHostingOptions hosting, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await SchemaInstaller.ApplyAsync(hosting, cancellationToken);
        logger.LogInformation("Schema ready on {Storage}; migrations applied now: {Applied}", hosting.Storage,
            applied.Count == 0 ? "none" : string.Join(", ", applied));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
