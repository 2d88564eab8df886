using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>The twin's registered topology as a <see cref="CitySpec"/>, read from its grains.</summary>
public static class LiveTopology
{
    public static async Task<CitySpec> ReadAsync(IGrainFactory grains)
    {
        var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
        var ids = city.Districts.Select(d => d.DistrictId).ToList();
        var districts = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).Get()));
        var members = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).GetMembers()));
        var segments = await Task.WhenAll(members.SelectMany(m => m.SegmentIds).Select(id => grains.GetGrain<IRoadSegmentGrain>(id).Get()));
        return new CitySpec(
            city.Id, city.Id,
            [.. districts.OfType<DistrictView>().Select(d => new DistrictSpec(d.Id, d.Name, d.NameEn, d.Boundary))],
            [.. segments.OfType<SegmentView>().Select(s => s.Spec with { Status = s.Status })],
            []);
    }
}
