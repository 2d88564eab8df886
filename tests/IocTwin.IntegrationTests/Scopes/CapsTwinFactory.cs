using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Scopes;

/// <summary>
/// The scopes twin's small caps on a generated city of 2,000 segments instead of the sample: a day's run there on the
/// dynamic model takes tens of seconds (on the sample, with either model, under a second on a fast machine), so a run
/// is surely still going when a test says so, and stopping it early is seen. Its long runs keep both cores busy, so
/// its tests run while no other collection does.
/// </summary>
public sealed class CapsTwinFactory : ScopesTwinFactory
{
    public CitySpec City { get; } = SyntheticCityGenerator.Generate(new SyntheticCityOptions(Districts: 4, Segments: 2_000, Sensors: 100, Seed: 11));

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:SeedSampleCity"] = "false",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await TopologyImporter.ImportAsync(Services.GetRequiredService<IGrainFactory>(), City);
    }

    /// <summary>Deletes every scenario and waits until no run holds a slot, so each test starts with every slot free.</summary>
    public async Task DeleteAllScenariosAndTheirRuns()
    {
        await DeleteAllScenarios();
        var index = Services.GetRequiredService<IGrainFactory>().GetGrain<IScenarioIndexGrain>(0);
        // A slot taken with a cap of one run in all is admitted only when no other run holds one.
        try
        {
            await Eventually.Until(() => index.StartRun("no-run-left", "tests", 1, 1, TimeSpan.FromMinutes(1)),
                admission => admission == ScenarioAdmission.Admitted, TimeSpan.FromSeconds(60), "the deleted runs stop");
        }
        finally
        {
            await index.RunEnded("no-run-left");
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CapsCollection : ICollectionFixture<CapsTwinFactory>
{
    public const string Name = "caps";
}
