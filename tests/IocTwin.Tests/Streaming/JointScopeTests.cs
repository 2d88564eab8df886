using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Streaming;

/// <summary>An OC with several districts or sectors takes them as one scope, whose total the server counts.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class JointScopeTests(TwinApiFactory api)
{
    [Fact]
    public async Task A_district_OC_gets_all_its_districts_in_one_scope_with_their_total()
    {
        var token = api.Token(TwinRoles.DistrictOc, districts: ["son-tra", "cam-le"]);
        await using var oc = await LiveScreen.ConnectAsync(api, token);

        // Listed in any order, the districts are one scope, named in one order.
        var snapshot = await oc.Subscribe("district:son-tra,cam-le");
        const string scope = "district:cam-le,son-tra";
        Assert.Equal(scope, snapshot.Scope);
        Assert.Equal(["cam-le", "son-tra"], snapshot.Districts.Select(d => d.Id).Order());
        Assert.All(snapshot.Sensors, s => Assert.Contains(s.DistrictId, new[] { "cam-le", "son-tra" }));
        Assert.Equal(snapshot.Districts.Sum(d => d.Kpis.SensorsOnline.Value ?? 0), snapshot.City!.Kpis.SensorsOnline.Value ?? 0);
        Assert.Equal(snapshot.Districts.Sum(d => d.Kpis.CongestedKm.Value ?? 0), snapshot.City.Kpis.CongestedKm.Value ?? 0, 9);

        // A reading in one of them moves that district and the total with it.
        var (_, counter) = await api.Http.SoleCounterSegment("son-tra");
        await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 44.5, flow = 611 }));
        var frame = await oc.WaitForDelta(scope, d => d.Districts.Any(x => x.Id == "son-tra") && d.City is not null,
            "the district and the scope's total follow the reading");
        Assert.All(frame.Districts, d => Assert.Contains(d.Id, new[] { "cam-le", "son-tra" }));
        Assert.True(frame.City!.Kpis.SensorsOnline.Value >= frame.Districts.Single(d => d.Id == "son-tra").Kpis.SensorsOnline.Value);
    }

    [Fact]
    public async Task A_scope_naming_one_district_or_sector_outside_the_token_is_refused_whole()
    {
        await using var district = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: ["son-tra"]));
        await Assert.ThrowsAsync<HubException>(() => district.Subscribe("district:son-tra,hai-chau"));
        await using var sector = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.SectorOc, sectors: ["flood"]));
        await Assert.ThrowsAsync<HubException>(() => sector.Subscribe("sector:flood,traffic"));

        // The sectors it holds are one scope; its districts carry those sectors' KPIs only.
        var flood = await sector.Subscribe("sector:flood");
        Assert.All(flood.Sensors, s => Assert.Equal(Sector.Flood, s.Sector));
        Assert.Empty(flood.Segments);
        Assert.All(flood.Districts, d => Assert.Null(d.Kpis.WorstAqi.Value));
    }
}
