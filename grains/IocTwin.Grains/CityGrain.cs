using IocTwin.Domain;
using IocTwin.Model;
using Microsoft.Extensions.Options;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class CityState
{
    [Id(0)] public Dictionary<string, DistrictSnapshot> Districts { get; set; } = [];
    [Id(1)] public long Version { get; set; }
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
            SegmentCount: null, SensorCount: null, d.Version)).ToList();
        return Task.FromResult(new CityView(this.GetPrimaryKeyString(), kpis, views, state.State.Version));
    }

    public async Task AttachDistrict(DistrictSnapshot district)
    {
        var isNew = !state.State.Districts.ContainsKey(district.DistrictId);
        state.State.Districts[district.DistrictId] = district;
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
