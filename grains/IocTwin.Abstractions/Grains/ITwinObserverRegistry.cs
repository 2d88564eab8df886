namespace IocTwin.Grains;

/// <summary>
/// Where API processes register their observers; entries lapse unless renewed. Key 0. The publishers read the list
/// again at most every <see cref="TwinObservers.PublisherRefresh"/>: a registration reaches every one of them within it.
/// </summary>
public interface ITwinObserverRegistry : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task Register(Guid processId, ITwinObserver observer);

    /// <summary>
    /// Registers the process's observer, or renews it; false when the registry did not hold it (a first registration,
    /// one that lapsed, or a registry that lost its list): updates published meanwhile did not reach the process.
    /// </summary>
    [Alias("Renew")]
    Task<bool> Renew(Guid processId, ITwinObserver observer);

    [Alias("Unregister")]
    Task Unregister(Guid processId);

    [Alias("GetObservers")]
    Task<ITwinObserver[]> GetObservers();
}

public static class TwinObservers
{
    /// <summary>
    /// How old the list of observers a publisher sends to may be, so how long a registration takes to reach every
    /// publisher; shared by the silos and the API processes.
    /// </summary>
    public static readonly TimeSpan PublisherRefresh = TimeSpan.FromSeconds(1);
}
