using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class TntpNetworkState
{
    [Id(0)] public TntpNetworkSummary? Summary { get; set; }
    [Id(1)] public TntpFiles? Files { get; set; }
}

/// <summary>A stored TNTP network: its files kept as given, so that it survives restarts and is read again to assign.</summary>
public sealed class TntpNetworkGrain(
    [PersistentState("tntp-network", TwinStorage.Name)] IPersistentState<TntpNetworkState> state) : Grain, ITntpNetworkGrain
{
    public async Task Store(TntpNetworkSummary summary, TntpFiles files)
    {
        state.State = new TntpNetworkState { Summary = summary, Files = files };
        await state.WriteStateAsync();
    }

    public Task<TntpFiles?> Files() => Task.FromResult(state.State.Files);

    public async Task Delete()
    {
        await state.ClearStateAsync();
        this.DeactivateOnIdle();
    }
}
