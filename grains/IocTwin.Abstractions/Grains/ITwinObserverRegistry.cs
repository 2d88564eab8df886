namespace IocTwin.Grains;

/// <summary>Where API processes register their observers; entries lapse unless renewed. Key 0.</summary>
public interface ITwinObserverRegistry : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task Register(Guid processId, ITwinObserver observer);

    [Alias("Unregister")]
    Task Unregister(Guid processId);

    [Alias("GetObservers")]
    Task<ITwinObserver[]> GetObservers();
}
