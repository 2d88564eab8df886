using IocTwin.Api.Streaming;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// The registry of observers is a grain: activated again (its silo restarted or gone), it starts with no
/// observer, and updates published before the API process renews reach no one. What the process holds must then be
/// read again, or its screens would show those missed changes (an alert resolved meanwhile) until the next refresh.
/// </summary>
public sealed class ObserverRegistryLossTests(ObserverRegistryLossTests.OwnTwin api) : IClassFixture<ObserverRegistryLossTests.OwnTwin>
{
    public sealed class OwnTwin : TwinApiFactory;

    [Fact]
    public async Task When_the_registry_of_observers_forgets_this_process_it_reads_what_it_holds_again()
    {
        var held = api.Services.GetRequiredService<HeldTwin>();
        var areas = await api.Http.Get<List<DistrictView>>("/api/v1/areas");
        await Eventually.Until(() => Task.FromResult(held.HeldDistricts), n => n == areas.Count, TimeSpan.FromSeconds(20), "every area is held");
        var readsBefore = held.DistrictsRead;
        var registry = api.Services.GetRequiredService<IGrainFactory>().GetGrain<ITwinObserverRegistry>(0);

        await Eventually.Until(async () =>
            {
                // The registry's activation goes, with the list it kept in memory, as when its silo goes (tried again
                // should it have been busy).
                await registry.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
                return held.DistrictsRead;
            },
            reads => reads >= readsBefore + areas.Count, TimeSpan.FromSeconds(30), "the process reads every area again once it renews");
        await Eventually.Until(() => Task.FromResult(held.HeldDistricts), n => n == areas.Count, TimeSpan.FromSeconds(20), "and holds them all");
    }

    [Fact]
    public async Task Collecting_the_idle_grains_keeps_the_registry_so_nothing_held_is_read_again()
    {
        var held = api.Services.GetRequiredService<HeldTwin>();
        var areas = await api.Http.Get<List<DistrictView>>("/api/v1/areas");
        await Eventually.Until(() => Task.FromResult(held.HeldDistricts), n => n == areas.Count, TimeSpan.FromSeconds(20), "every area is held");
        var management = api.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var readsBefore = held.DistrictsRead;

        await management.ForceActivationCollection(TimeSpan.Zero);
        // Past the next renewal (every 5 s): a registry that lost its list answers it false, and every area is read again.
        await Task.Delay(TimeSpan.FromSeconds(7));

        Assert.Equal(readsBefore, held.DistrictsRead);
    }
}
