using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The stored TNTP networks. Key 0. The cap on their number is checked here, one call at a time.</summary>
public interface ITntpNetworkIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a network unless the twin holds <paramref name="maxNetworks"/> already; false then.</summary>
    [Alias("Add")]
    Task<bool> Add(TntpNetworkSummary summary, int maxNetworks);

    [Alias("Remove")]
    Task Remove(string id);

    /// <summary>The network's summary; null when there is no such network. Activates no network grain.</summary>
    [Alias("Find")]
    Task<TntpNetworkSummary?> Find(string id);

    [Alias("List")]
    Task<IReadOnlyList<TntpNetworkSummary>> List();
}
