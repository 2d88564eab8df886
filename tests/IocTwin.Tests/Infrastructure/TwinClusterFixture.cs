using IocTwin.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;

namespace IocTwin.Tests.Infrastructure;

/// <summary>A real in-process Orleans cluster running the twin's grains on in-memory storage, with fast rollups.</summary>
public sealed class TwinClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder();
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(TwinStorage.Name);
            silo.Services.Configure<TwinOptions>(o =>
            {
                o.RollupDelay = TimeSpan.FromMilliseconds(50);
                o.PersistDelay = TimeSpan.FromMilliseconds(200);
            });
            silo.Services.TryAddSingleton(TimeProvider.System);
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
