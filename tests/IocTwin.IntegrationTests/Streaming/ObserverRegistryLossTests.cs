using IocTwin.Api.Streaming;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// The registry of observers is a grain: activated again (its silo restarted, the grain collected), it starts with no
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
        var management = api.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);

        await Eventually.Until(async () =>
            {
                // Every idle grain deactivated, the registry among them (tried again should it have been busy).
                await management.ForceActivationCollection(TimeSpan.Zero);
                return held.DistrictsRead;
            },
            reads => reads >= readsBefore + areas.Count, TimeSpan.FromSeconds(30), "the process reads every area again once it renews");
        await Eventually.Until(() => Task.FromResult(held.HeldDistricts), n => n == areas.Count, TimeSpan.FromSeconds(20), "and holds them all");
    }
}
