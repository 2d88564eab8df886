using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using IocTwin.Api.Access;
using IocTwin.Api.Streaming;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// Matches this process's <see cref="NgsiChangeFeed"/> against the subscriptions and queues what each is to be told,
/// off the ingest path: the feed only queues, and entities are read here, once per change whatever the number of
/// subscriptions. Every API process matches; only the holder of the notification lease (the subscription index grain)
/// sends over HTTP, so a change is notified once per subscription, not once per process; the others keep what they
/// matched and the holder has not reported sent, and take over, sending it, when the holder stops renewing. Hub watchers of a subscription
/// get its change notifications from the process they are connected to; periodic ones come from the lease holder only.
/// </summary>
public sealed partial class NotificationDispatcher(
    IGrainFactory grains, NgsiChangeFeed feed, NgsiEntitySource source, LdContextStore contexts, IHttpClientFactory httpClients,
    IOptions<NotificationOptions> options, IOptions<NgsiLdOptions> ngsiOptions, IHubContext<TwinHub> hub, TimeProvider time,
    IAreaTreeSource areas, ObserverHearing hearing, ILogger<NotificationDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "ngsi-ld-notifications";
    public const string HubMethod = "ngsiNotification";
    private const int MaxChangesWaiting = 100_000;

    /// <summary>Reads entities for matching whatever the owner's scope; each subscription's scope is applied after.</summary>
    private static readonly TwinAccess Everything = SubscriptionScope.AccessOf(new SubscriptionOwner("notifications", TwinRoles.Ioc, [], []), areas: null);

    private readonly Guid _processId = Guid.NewGuid();
    private readonly ConcurrentDictionary<string, SubscriptionOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _periodicDue = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly Channel<NgsiChange> _changes = Channel.CreateBounded<NgsiChange>(
        new BoundedChannelOptions(MaxChangesWaiting) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private volatile bool _holding;
    // When the oldest change being matched was heard (UTC ticks; 0: none), so that the mark reported covers it too.
    private long _matchingSince;

    public static string GroupOf(string subscriptionId) => "ngsi-subscription:" + subscriptionId;

    /// <summary>Whether this process sends the notifications now.</summary>
    public bool HoldsLease => _holding;

    /// <summary>The counters this process has not stored yet, so that an answer from it is up to date.</summary>
    public NotificationCounters Unreported(string id) => _outboxes.TryGetValue(id, out var outbox) ? outbox.Unreported : NotificationCounters.None;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listening = feed.Listen(changes =>
        {
            foreach (var change in changes)
            {
                _changes.Writer.TryWrite(change);
            }
        }, Watches);
        await Task.WhenAll(LeaseAsync(stoppingToken), MatchAsync(stoppingToken), PeriodicAsync(stoppingToken));
    }

    /// <summary>
    /// The expanded entity types the subscriptions of this process select; null: any type (a subscription that names
    /// no entities). Changes of other types would only be matched against nothing, so they are not built at all.
    /// Kept as the subscriptions are applied, whatever their status: a superset is only a cost, never a loss.
    /// </summary>
    private volatile IReadOnlySet<string>? _watchedTypes = new HashSet<string>();

    private bool Watches(string entityType) => _watchedTypes is not { } types || (entityType == NgsiChangeFeed.AnyType ? types.Count > 0 : types.Contains(entityType));

    private void RememberWatchedTypes()
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var outbox in _outboxes.Values)
        {
            var definition = outbox.Subscription.Definition;
            if (definition.TimeInterval is not null)
            {
                continue;
            }
            if (definition.Entities.Count == 0)
            {
                _watchedTypes = null;
                return;
            }
            types.UnionWith(definition.Entities.Select(e => e.Type));
        }
        _watchedTypes = types;
    }

    /// <summary>Reads the subscription again from its grain and starts, changes or stops its outbox.</summary>
    public async Task ApplyAsync(string id, CancellationToken cancellationToken)
    {
        var record = await grains.GetGrain<INgsiSubscriptionGrain>(id).Get();
        await _applying.WaitAsync(cancellationToken);
        try
        {
            await ApplyLockedAsync(id, record, cancellationToken);
        }
        finally
        {
            RememberWatchedTypes();
            _applying.Release();
        }
    }

    private async Task ApplyLockedAsync(string id, NgsiSubscriptionRecord? record, CancellationToken cancellationToken)
    {
        var active = record is null ? null : await CompileAsync(record, cancellationToken);
        if (active is null)
        {
            if (_outboxes.TryRemove(id, out var gone))
            {
                await gone.DisposeAsync();
            }
            _periodicDue.TryRemove(id, out _);
            return;
        }
        if (_outboxes.TryGetValue(id, out var outbox))
        {
            outbox.Subscription = active;
            return;
        }
        outbox = new SubscriptionOutbox(active, httpClients.CreateClient(HttpClientName), options.Value, time, logger);
        if (_holding)
        {
            outbox.StartSending(null);
        }
        _outboxes[id] = outbox;
    }

    /// <summary>A stored subscription read back under the context it was written with; null when that no longer works.</summary>
    public async Task<ActiveSubscription?> CompileAsync(NgsiSubscriptionRecord record, CancellationToken cancellationToken)
    {
        var definition = record.Definition;
        try
        {
            var context = await contexts.ResolveAsync(definition.Context is { } stored ? JsonNode.Parse(stored) : null, cancellationToken);
            var body = JsonNode.Parse(definition.Document)!.AsObject();
            var subscription = SubscriptionDocument.Parse(body, context, definition.Owner, definition.CreatedAt, definition.ModifiedAt,
                ngsiOptions.Value.PatternTimeout, creating: false);
            var (value, link) = ActiveSubscription.ContextOf(definition.Context);
            return new ActiveSubscription(subscription, SubscriptionScope.AccessOf(definition.Owner, areas), value, link);
        }
        catch (Exception ex) when (ex is NgsiLdRequestException or LdContextUnavailableException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Subscription {Subscription} cannot be read back and does not notify: {Error}", definition.Id, ex.Message);
            return null;
        }
    }

    /// <summary>Reads each changed entity once and queues it for every subscription it matches, within its owner's scope.</summary>
    private async Task MatchAsync(CancellationToken stopping)
    {
        try
        {
            while (await _changes.Reader.WaitToReadAsync(stopping))
            {
                // Marked before the batch leaves the channel, so that a mark reported while it is drained still covers it.
                if (!_changes.Reader.TryPeek(out var first))
                {
                    continue;
                }
                Interlocked.Exchange(ref _matchingSince, first.At.UtcTicks);
                try
                {
                    await MatchBatchAsync(first.At, stopping);
                }
                finally
                {
                    Interlocked.Exchange(ref _matchingSince, 0);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task MatchBatchAsync(DateTimeOffset marked, CancellationToken stopping)
    {
        var batch = new Dictionary<string, NgsiChange>(StringComparer.Ordinal);
        while (batch.Count < 5_000 && _changes.Reader.TryRead(out var change))
        {
            batch[change.EntityId] = batch.TryGetValue(change.EntityId, out var earlier) ? Merge(earlier, change) : change;
        }
        var now = time.GetUtcNow();
        var outboxes = _outboxes.Values.Where(o => o.Subscription.Definition.StatusAt(now) == SubscriptionStatus.Active).ToList();
        if (batch.Count == 0 || outboxes.Count == 0)
        {
            return;
        }
        if (batch.Values.Min(c => c.At) is var oldest && oldest < marked)
        {
            Interlocked.Exchange(ref _matchingSince, oldest.UtcTicks);
        }
        await Parallel.ForEachAsync(batch.Values, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stopping },
            async (change, _) => await MatchAsync(change, outboxes));
    }

    private async Task MatchAsync(NgsiChange change, List<SubscriptionOutbox> outboxes)
    {
        var interested = outboxes.Where(o => o.Subscription.Definition.Watches(change)).ToList();
        if (interested.Count == 0)
        {
            return;
        }
        try
        {
            if (await source.ReadOneAsync(Everything, change.EntityId) is not { } entity)
            {
                return;
            }
            foreach (var outbox in interested)
            {
                Queue(outbox, entity, change.At);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not read {Entity} to notify its change", change.EntityId);
        }
    }

    private void Queue(SubscriptionOutbox outbox, NgsiEntity entity, DateTimeOffset at, bool toHub = true)
    {
        var subscription = outbox.Subscription;
        if (!SubscriptionScope.Covers(subscription.OwnerAccess, entity) || !subscription.Definition.Matches(entity))
        {
            return;
        }
        var rendered = subscription.Definition.Render(entity).ToJsonString(NgsiLdJson.Options);
        outbox.Enqueue(new PendingEntity(entity.Id, rendered, at));
        if (!toHub)
        {
            return;
        }
        var frame = new NgsiNotificationFrame(subscription.Definition.Id,
            System.Text.Encoding.UTF8.GetString(NotificationBody.Write(subscription.Definition.Id, at, [rendered])));
        _ = hub.Clients.Group(GroupOf(subscription.Definition.Id)).SendAsync(HubMethod, frame);
    }

    /// <summary>
    /// Periodic subscriptions (timeInterval): every matching entity, each interval. Only the lease holder runs them, with
    /// one read of the entities the due subscriptions name per tick, each subscription's scope applied after.
    /// </summary>
    private async Task PeriodicAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await WaitAsync(timer, stopping))
        {
            if (!_holding)
            {
                continue;
            }
            var now = time.GetUtcNow();
            var due = _outboxes.Values.Where(o => o.Subscription.Definition.TimeInterval is not null
                && o.Subscription.Definition.StatusAt(now) == SubscriptionStatus.Active
                && _periodicDue.GetValueOrDefault(o.Subscription.Definition.Id) <= now).ToList();
            if (due.Count == 0)
            {
                continue;
            }
            foreach (var outbox in due)
            {
                _periodicDue[outbox.Subscription.Definition.Id] = now + TimeSpan.FromSeconds(outbox.Subscription.Definition.TimeInterval!.Value);
            }
            try
            {
                var entities = await ReadSelectedAsync(due);
                foreach (var outbox in due)
                {
                    foreach (var entity in entities)
                    {
                        Queue(outbox, entity, now);
                    }
                }
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not read the entities of {Count} periodic subscriptions", due.Count);
            }
        }
    }

    /// <summary>One read of the entities of every type these subscriptions select (all types when one names none).</summary>
    private Task<List<NgsiEntity>> ReadSelectedAsync(List<SubscriptionOutbox> outboxes)
    {
        var anyType = outboxes.Any(o => o.Subscription.Definition.Entities.Count == 0);
        var types = outboxes.SelectMany(o => o.Subscription.Definition.Entities.Select(s => s.Type)).ToHashSet(StringComparer.Ordinal);
        return source.ReadAsync(Everything, type => anyType || types.Contains(type));
    }

    private static NgsiChange Merge(NgsiChange earlier, NgsiChange later) => later with
    {
        Attributes = earlier.Attributes is null || later.Attributes is null ? null : [.. earlier.Attributes.Union(later.Attributes)],
        At = earlier.At,
    };

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>A notification of an NGSI-LD subscription on the hub: the Notification's JSON, as the HTTP receiver gets it.</summary>
public sealed record NgsiNotificationFrame(string SubscriptionId, string Notification);
