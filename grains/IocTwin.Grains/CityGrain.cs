using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.Extensions.Options;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class CityState
{
    /// <summary>The areas directly under the city, whose KPIs make the city's (the name is from when districts were the only level).</summary>
    [Id(0)] public Dictionary<string, DistrictSnapshot> Districts { get; set; } = [];
    [Id(1)] public long Version { get; set; }
    /// <summary>Every area of the city and its parent; empty in state stored before areas nested, when every area was a district under the city.</summary>
    [Id(2)] public Dictionary<string, AreaLink> Areas { get; set; } = [];
}

public sealed class CityGrain(
    [PersistentState("city", TwinStorage.Name)] IPersistentState<CityState> state,
    IOptions<TwinOptions> options) : Grain, ICityGrain
{
    private DebouncedAction _persist = null!;
    private DebouncedAction _publish = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _persist = new DebouncedAction(this, options.Value.PersistDelay, () => state.WriteStateAsync(),
            interleave: options.Value.InterleaveWriteBehind);
        _publish = new DebouncedAction(this, options.Value.PublishDelay, PublishAsync);
        return Task.CompletedTask;
    }

    private Task PublishAsync()
    {
        var kpis = KpiCalculator.ForCity(state.State.Districts.Values.Select(d => d.Kpis));
        // Screens are informed, never waited for; the districts they hear of from the districts themselves.
        GrainFactory.GetGrain<ITwinPublisher>(0).PublishCity(new CityView(this.GetPrimaryKeyString(), kpis, Districts: null, state.State.Version)).Ignore();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _persist.FlushAsync();

    public Task<CityView> Get()
    {
        var districts = state.State.Districts.Values.OrderBy(d => d.DistrictId, StringComparer.Ordinal).ToList();
        var kpis = KpiCalculator.ForCity(districts.Select(d => d.Kpis));
        var views = districts.Select(d => new DistrictView(d.DistrictId, d.Name, d.NameEn, Boundary: null, d.Kpis,
            SegmentCount: null, SensorCount: null, d.Version, Kind: AreaKinds.OrDistrict(d.Kind))).ToList();
        return Task.FromResult(new CityView(this.GetPrimaryKeyString(), kpis, views, state.State.Version));
    }

    public async Task AttachDistrict(DistrictSnapshot district)
    {
        var link = new AreaLink(district.DistrictId, AreaKinds.OrDistrict(district.Kind), district.ParentId);
        var isNew = state.State.Areas.GetValueOrDefault(link.Id) != link;
        state.State.Areas[link.Id] = link;
        if (district.ParentId is null)
        {
            isNew |= !state.State.Districts.ContainsKey(district.DistrictId);
            state.State.Districts[district.DistrictId] = district;
        }
        else if (state.State.Districts.Remove(district.DistrictId))
        {
            // Moved under a parent area: its KPIs now reach the city through that parent.
            isNew = true;
            _publish.Schedule();
        }
        state.State.Version++;
        if (isNew)
        {
            await state.WriteStateAsync();
        }
        else
        {
            _persist.Schedule();
        }
    }

    public Task<AreaTree> GetAreas()
    {
        var links = state.State.Areas.Values.ToList();
        // Areas stored before the tree was kept were all districts under the city.
        links.AddRange(state.State.Districts.Keys.Where(id => !state.State.Areas.ContainsKey(id))
            .Select(id => new AreaLink(id, AreaKinds.District, ParentId: null)));
        return Task.FromResult(new AreaTree([.. links.OrderBy(l => l.Id, StringComparer.Ordinal)]));
    }

    public Task ReportDistrict(DistrictSnapshot district)
    {
        if (state.State.Districts.ContainsKey(district.DistrictId))
        {
            state.State.Districts[district.DistrictId] = district;
            state.State.Version++;
            _persist.Schedule();
            _publish.Schedule();
        }
        return Task.CompletedTask;
    }
}
