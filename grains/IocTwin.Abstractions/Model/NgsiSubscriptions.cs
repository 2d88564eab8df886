namespace IocTwin.Model;

/// <summary>
/// Whose an NGSI-LD subscription is: the creator's role and the districts and sectors its token covered. Notifications
/// only ever carry entities this scope covers, checked when each is sent; OCs of the same role and scope manage it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SubscriptionOwner(
    [property: Id(0)] string Subject,
    [property: Id(1)] string Role,
    [property: Id(2)] string[] Districts,
    [property: Id(3)] string[] Sectors);

/// <summary>
/// An NGSI-LD subscription as it was written: its JSON (without @context and read-only members) and the @context it
/// was written under (JSON: a URL, an array or an inline object; null for the core context alone), so its names mean
/// what they meant to its writer whatever context later readers use.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NgsiSubscriptionDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string Document,
    [property: Id(2)] string? Context,
    [property: Id(3)] SubscriptionOwner Owner,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset ModifiedAt);

/// <summary>What the notifications of a subscription have done so far; <see cref="Add"/> folds in a later report.</summary>
[GenerateSerializer, Immutable]
public sealed record NotificationCounters(
    [property: Id(0)] long TimesSent,
    [property: Id(1)] long TimesFailed,
    [property: Id(2)] long Dropped,
    [property: Id(3)] DateTimeOffset? LastNotification,
    [property: Id(4)] DateTimeOffset? LastSuccess,
    [property: Id(5)] DateTimeOffset? LastFailure)
{
    public static readonly NotificationCounters None = new(0, 0, 0, null, null, null);

    public NotificationCounters Add(NotificationCounters later) => new(
        TimesSent + later.TimesSent, TimesFailed + later.TimesFailed, Dropped + later.Dropped,
        Latest(LastNotification, later.LastNotification), Latest(LastSuccess, later.LastSuccess), Latest(LastFailure, later.LastFailure));

    /// <summary>"failed" when the latest attempt failed, "ok" otherwise.</summary>
    public string Status => LastFailure is { } failed && (LastSuccess is not { } success || failed > success) ? "failed" : "ok";

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

[GenerateSerializer, Immutable]
public sealed record NgsiSubscriptionRecord(
    [property: Id(0)] NgsiSubscriptionDefinition Definition,
    [property: Id(1)] NotificationCounters Counters);

/// <summary>A subscription id and its owner, as the subscription index keeps them.</summary>
[GenerateSerializer, Immutable]
public sealed record NgsiSubscriptionEntry([property: Id(0)] string Id, [property: Id(1)] SubscriptionOwner Owner);

/// <summary>
/// The answer to a dispatcher asking for the notification lease: whether it holds it now, and the time up to which
/// the previous holder reported its notifications sent (a new holder sends what it kept from after that time).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NotificationLease(
    [property: Id(0)] bool Held,
    [property: Id(1)] DateTimeOffset? DeliveredUpTo);
