using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>One NGSI-LD subscription, keyed by its id (a URI); stored, with its notification counters.</summary>
public interface INgsiSubscriptionGrain : IGrainWithStringKey
{
    /// <summary>The subscription and its counters; null when there is none of this id.</summary>
    [Alias("Get")]
    Task<NgsiSubscriptionRecord?> Get();

    /// <summary>Stores the subscription (created or changed); counters are kept.</summary>
    [Alias("Put")]
    Task Put(NgsiSubscriptionDefinition definition);

    [Alias("Delete")]
    Task Delete();

    /// <summary>Adds what notifications did since the last report; ignored once the subscription is deleted.</summary>
    [Alias("Report")]
    Task Report(NotificationCounters delta);
}
