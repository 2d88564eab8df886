using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Hosting;
using IocTwin.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace IocTwin.Tests.Infrastructure;

/// <summary>A real in-process Orleans cluster running the twin's grains on in-memory storage, with fast rollups.</summary>
public sealed class TwinClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The silos' clock; a test that moves it moves it back.</summary>
    public ShiftableClock Clock { get; } = new();

    public async Task InitializeAsync()
    {
        // Reading history on a throwaway SQLite file, as in the embedded run.
        var history = new TwinHostingOptions { ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "history.db")}" };
        await SchemaInstaller.ApplyAsync(history);
        var builder = new InProcessTestClusterBuilder();
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(TwinStorage.Name);
            // The same storage format as the ADO.NET stores use.
            silo.Services.AddOptions<MemoryGrainStorageOptions>(TwinStorage.Name)
                .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
            silo.Services.AddReadingHistory(history);
            silo.Services.Configure<TwinOptions>(o =>
            {
                o.RollupDelay = TimeSpan.FromMilliseconds(50);
                o.PersistDelay = TimeSpan.FromMilliseconds(200);
                // Districts look at their sensors' health often, so a test sees aging within a second or two.
                o.HealthRefresh = TimeSpan.FromSeconds(1);
            });
            // Registered last, so the silo's own default system clock gives way to it.
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.TryAddSingleton(TwinTimeZone.Default);
            silo.Services.AddTwinRollup();
            silo.Services.AddTwinWriteBehind();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class TwinClusterCollection : ICollectionFixture<TwinClusterFixture>
{
    public const string Name = "twin cluster";
}
