using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Model;

namespace IocTwin.Tests.NgsiLd;

/// <summary>What an area OC's subscription notifies of, in a city whose sensors belong to wards below its district.</summary>
public sealed class SubscriptionScopeTests
{
    private sealed class Tree(AreaTree areas) : IAreaTreeSource
    {
        public AreaTree Areas { get; set; } = areas;
    }

    private static NgsiEntity AirSensorIn(string areaId) =>
        new("urn:ngsi-ld:Device:air-1", Sdm.Device, new Dictionary<string, NgsiAttribute>(), areaId, Sector.Environment);

    [Fact]
    public void A_district_OC_subscription_covers_the_sensors_of_its_wards_by_the_tree_as_it_stands_at_dispatch()
    {
        var tree = new Tree(new AreaTree([new("d-a", AreaKinds.District, null), new("d-b", AreaKinds.District, null), new("w", "ward", "d-a")]));
        var access = SubscriptionScope.AccessOf(new SubscriptionOwner("oc-a", TwinRoles.DistrictOc, ["d-a"], []), tree);

        Assert.True(SubscriptionScope.Covers(access, AirSensorIn("w")));
        Assert.False(SubscriptionScope.Covers(access, AirSensorIn("d-b")));

        // The ward moves to the other district: the same subscription no longer hears of it.
        tree.Areas = new AreaTree([new("d-a", AreaKinds.District, null), new("d-b", AreaKinds.District, null), new("w", "ward", "d-b")]);
        Assert.False(SubscriptionScope.Covers(access, AirSensorIn("w")));
    }
}
