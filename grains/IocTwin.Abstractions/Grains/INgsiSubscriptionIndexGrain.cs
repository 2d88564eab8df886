using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The NGSI-LD subscriptions that exist, with their owners, and the notification lease: the one API process at a time
/// that sends notifications over HTTP, so that a change is notified once and not once per API process. Key 0.
/// </summary>
public interface INgsiSubscriptionIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Takes the id for a new subscription; false when it is taken, or the twin holds <paramref name="maxTotal"/>.</summary>
    [Alias("Add")]
    Task<bool> Add(NgsiSubscriptionEntry entry, int maxTotal);

    [Alias("Remove")]
    Task Remove(string id);

    /// <summary>The subscription's owner; null when there is no such subscription. Activates no subscription grain.</summary>
    [Alias("Find")]
    Task<SubscriptionOwner?> Find(string id);

    [Alias("List")]
    Task<IReadOnlyList<NgsiSubscriptionEntry>> List();

    /// <summary>Grows with every subscription created, changed or deleted, so dispatchers know when to read them again.</summary>
    [Alias("Version")]
    Task<long> Version();

    /// <summary>A subscription was changed: dispatchers read it again.</summary>
    [Alias("Touch")]
    Task Touch();

    /// <summary>
    /// Takes or renews the lease for <paramref name="holder"/> when it is free, lapsed or already the holder's; the
    /// holder reports the time up to which it has sent what it observed.
    /// </summary>
    [Alias("HoldLease")]
    Task<NotificationLease> HoldLease(Guid holder, TimeSpan duration, DateTimeOffset? deliveredUpTo);

    [Alias("ReleaseLease")]
    Task ReleaseLease(Guid holder);
}
