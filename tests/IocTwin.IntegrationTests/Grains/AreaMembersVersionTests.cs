using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Grains;

/// <summary>
/// An API process keeps every area's members and reads again only the areas whose members changed: an area must answer
/// with its members after every change of them, and with nothing while they are the ones the reader holds.
/// </summary>
[Collection(TwinClusterCollection.Name)]
public sealed class AreaMembersVersionTests(TwinClusterFixture fixture)
{
    [Fact]
    public async Task An_area_answers_its_members_again_only_after_they_change()
    {
        var city = await TestCity.RegisterAsync(fixture.Grains);
        var area = fixture.Grains.GetGrain<IDistrictGrain>(city.DistrictId);

        var first = await area.GetMembersSince(null);
        Assert.Equal([city.SegmentId], first.Members!.SegmentIds);
        Assert.Equal(new[] { city.AirId, city.CounterId, city.WaterId }.Order(StringComparer.Ordinal), first.Members.SensorIds);

        // Readings change live values, not members.
        await fixture.Grains.GetGrain<ISensorGrain>(city.CounterId).Record([new Reading(DateTimeOffset.UtcNow, new Dictionary<string, double> { ["speed"] = 40 })]);
        await Task.Delay(300);
        var unchanged = await area.GetMembersSince(first.Version);
        Assert.Null(unchanged.Members);
        Assert.Equal(first.Version, unchanged.Version);

        // A sensor leaving the segment for the area itself, then leaving the area.
        var water = fixture.Grains.GetGrain<ISensorGrain>(city.WaterId);
        var spec = (await water.Get())!;
        await water.Register(new SensorSpec(spec.Id, spec.Kind, spec.Sector, new GeoPoint(108.212, 16.06), spec.DistrictId, null, spec.Name));
        var moved = await Eventually.Until(() => area.GetMembersSince(first.Version), r => r.Members is not null);
        Assert.Contains(city.WaterId, moved.Members!.SensorIds);
        Assert.Null((await area.GetMembersSince(moved.Version)).Members);

        var other = await TestCity.RegisterAsync(fixture.Grains);
        await water.Register(new SensorSpec(spec.Id, spec.Kind, spec.Sector, new GeoPoint(108.212, 16.06), other.DistrictId, null, spec.Name));
        var left = await area.GetMembersSince(moved.Version);
        Assert.DoesNotContain(city.WaterId, left.Members!.SensorIds);
        Assert.Contains(city.WaterId, (await fixture.Grains.GetGrain<IDistrictGrain>(other.DistrictId).GetMembersSince(null)).Members!.SensorIds);

        // A reader holding a version of another activation (or of another area) is answered in full.
        Assert.NotNull((await area.GetMembersSince(new MembersVersion(Guid.NewGuid(), left.Version.Changes))).Members);
    }
}
