namespace IocTwin.Grains;

/// <summary>Where API processes register their observers; entries lapse unless renewed. Key 0.</summary>
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
