using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>One stored TNTP network and its files, keyed by the network id; reached only through ids the index holds.</summary>
public interface ITntpNetworkGrain : IGrainWithStringKey
{
    [Alias("Store")]
    Task Store(TntpNetworkSummary summary, TntpFiles files);

    /// <summary>The files; null when nothing is stored under this id.</summary>
    [Alias("Files")]
    Task<TntpFiles?> Files();

    [Alias("Delete")]
    Task Delete();
}
