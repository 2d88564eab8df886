using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IocTwin.Api.NgsiLd.Query;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>One entities selector of a subscription: an (expanded) type, and optionally an id or an id pattern.</summary>
public sealed record EntitySelector(string Type, string? Id, Regex? IdPattern)
{
    public bool Selects(string entityId, string entityType) =>
        Type == entityType && (Id is null || Id == entityId) && (IdPattern is null || IdPattern.IsMatch(entityId));
}

/// <summary>How and where a subscription's notifications go.</summary>
public sealed record NotificationParameters(
    IReadOnlySet<string>? Attributes, EntityFormat Format, Uri Endpoint, string Accept, IReadOnlyList<KeyValuePair<string, string>> ReceiverInfo);

public enum SubscriptionStatus
{
    Active,
    Paused,
    Expired,
}

/// <summary>
/// A subscription read and checked (GS CIM 009 5.2.12), names expanded with the context it was written under, as
/// dispatch and answers use it. <see cref="SubscriptionDocument"/> reads it from JSON and writes it back.
/// </summary>
public sealed record NgsiSubscription(
    string Id,
    string? Name,
    string? Description,
    IReadOnlyList<EntitySelector> Entities,
    IReadOnlySet<string>? WatchedAttributes,
    string? QText,
    QueryExpression? Q,
    JsonObject? GeoQText,
    GeoQuery? Geo,
    double? Throttling,
    double? TimeInterval,
    DateTimeOffset? ExpiresAt,
    bool IsActive,
    NotificationParameters Notification,
    LdContext Context,
    SubscriptionOwner Owner,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt)
{
    public SubscriptionStatus StatusAt(DateTimeOffset now) =>
        ExpiresAt is { } expires && expires <= now ? SubscriptionStatus.Expired : IsActive ? SubscriptionStatus.Active : SubscriptionStatus.Paused;

    /// <summary>Whether a change of these attributes of this entity concerns the subscription, before the entity is read.</summary>
    public bool Watches(NgsiChange change) =>
        TimeInterval is null
        && (Entities.Count == 0 || Entities.Any(s => s.Selects(change.EntityId, change.EntityType)))
        && (WatchedAttributes is null || change.Attributes is null || change.Attributes.Any(WatchedAttributes.Contains));

    /// <summary>Whether the entity as it is now passes the subscription's q and geoQ.</summary>
    public bool Matches(NgsiEntity entity) =>
        (Entities.Count == 0 || Entities.Any(s => s.Selects(entity.Id, entity.Type)))
        && (WatchedAttributes is null || Entities.Count > 0 || WatchedAttributes.Any(entity.Attributes.ContainsKey))
        && (Q is null || Q.Matches(entity))
        && (Geo is null || Geo.Matches(entity));

    /// <summary>The entity as the notification carries it: the chosen attributes, in the chosen format, under the subscription's context.</summary>
    public JsonObject Render(NgsiEntity entity) =>
        EntityRenderer.Render(entity, new RenderOptions(Notification.Format, false, Notification.Attributes), Context);
}
