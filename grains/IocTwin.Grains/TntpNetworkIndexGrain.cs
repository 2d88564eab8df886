using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The stored TNTP networks' summaries by id.</summary>
public sealed class TntpNetworkIndexGrain(
    [PersistentState("tntp-network-index", TwinStorage.Name)] IPersistentState<Dictionary<string, TntpNetworkSummary>> networks)
    : Grain, ITntpNetworkIndexGrain
{
    public async Task<bool> Add(TntpNetworkSummary summary, int maxNetworks)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (!networks.State.ContainsKey(summary.Id) && networks.State.Count >= maxNetworks)
        {
            return false;
        }
        networks.State[summary.Id] = summary;
        await networks.WriteStateAsync();
        return true;
    }

    public async Task Remove(string id)
    {
        if (networks.State.Remove(id))
        {
            await networks.WriteStateAsync();
        }
    }

    public Task<TntpNetworkSummary?> Find(string id) => Task.FromResult(networks.State.GetValueOrDefault(id));

    public Task<IReadOnlyList<TntpNetworkSummary>> List() =>
        Task.FromResult<IReadOnlyList<TntpNetworkSummary>>([.. networks.State.Values.OrderBy(n => n.CreatedAt).ThenBy(n => n.Id, StringComparer.Ordinal)]);
}
