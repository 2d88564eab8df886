using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Live views of a set of districts and everything in them.</summary>
public sealed record TwinViews(List<DistrictView> Districts, List<SegmentView> Segments, List<SensorView> Sensors);

/// <summary>The twin's registered topology and live state, read from its grains in parallel.</summary>
public static class LiveTopology
{
    /// <summary>Every district of the city.</summary>
    public static async Task<List<string>> DistrictIdsAsync(IGrainFactory grains) =>
        [.. (await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get()).Districts.Select(d => d.DistrictId)];

    /// <summary>The districts' views, and those of their segments and (when asked) sensors.</summary>
    public static async Task<TwinViews> ReadViewsAsync(IGrainFactory grains, IEnumerable<string> districtIds, bool includeSensors = true)
    {
        var ids = districtIds.ToList();
        var districts = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).Get()));
        var members = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).GetMembers()));
        var segments = await Task.WhenAll(members.SelectMany(m => m.SegmentIds).Select(id => grains.GetGrain<IRoadSegmentGrain>(id).Get()));
        var sensors = includeSensors
            ? await Task.WhenAll(members.SelectMany(m => m.SensorIds).Select(id => grains.GetGrain<ISensorGrain>(id).Get()))
            : [];
        return new TwinViews([.. districts.OfType<DistrictView>()], [.. segments.OfType<SegmentView>()], [.. sensors.OfType<SensorView>()]);
    }

    /// <summary>The topology as a <see cref="CitySpec"/>, each segment with the status it has now.</summary>
    public static async Task<CitySpec> ReadAsync(IGrainFactory grains)
    {
        var views = await ReadViewsAsync(grains, await DistrictIdsAsync(grains), includeSensors: false);
        return new CitySpec(
            CityGrainKey.Id, CityGrainKey.Id,
            [.. views.Districts.Select(d => new DistrictSpec(d.Id, d.Name, d.NameEn, d.Boundary))],
            [.. views.Segments.Select(s => s.Spec with { Status = s.Status })],
            []);
    }
}
