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
public sealed class NotificationDispatcher(
    IGrainFactory grains, NgsiChangeFeed feed, NgsiEntitySource source, LdContextStore contexts, IHttpClientFactory httpClients,
    IOptions<NotificationOptions> options, IOptions<NgsiLdOptions> ngsiOptions, IHubContext<TwinHub> hub, TimeProvider time,
    IAreaTreeSource areas, ILogger<NotificationDispatcher> logger) : BackgroundService
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
    // The mark a takeover's catch-up re-queues from (UTC ticks; 0: none), held until it queued everything.
    private long _catchingUpSince;
    private DateTimeOffset? _handoverMark;
    private long _version = -1;

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

    /// <summary>Holds or watches for the lease, reports counters, and reads the subscriptions again when they changed.</summary>
    private async Task LeaseAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.ReportInterval, time);
        do
        {
            try
            {
                await RenewAsync(stopping);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not renew the notification lease or read the subscriptions; retrying");
            }
        }
        while (await WaitAsync(timer, stopping));
        await StopSendingAsync();
    }

    private async Task RenewAsync(CancellationToken stopping)
    {
        var index = grains.GetGrain<INgsiSubscriptionIndexGrain>(0);
        var version = await index.Version();
        if (version != _version)
        {
            await ReloadAsync(index, stopping);
            _version = version;
        }
        var now = time.GetUtcNow();
        DateTimeOffset? sentUpTo = _holding ? OldestNotYetQueued(now) : null;
        var lease = await index.HoldLease(_processId, options.Value.LeaseDuration, sentUpTo);
        if (lease.Held && !_holding)
        {
            logger.LogInformation("This process sends NGSI-LD notifications now");
            _handoverMark = lease.DeliveredUpTo;
            _holding = true;
            foreach (var outbox in _outboxes.Values)
            {
                outbox.StartSending(_handoverMark);
            }
            if (_handoverMark is { } mark)
            {
                // Held before the catch-up starts, so that no mark reported while it reads passes what it has to queue.
                var since = mark - SubscriptionOutbox.HandoverMargin;
                Interlocked.Exchange(ref _catchingUpSince, since.UtcTicks);
                _ = CatchUpAsync(since, stopping);
            }
        }
        else if (!lease.Held)
        {
            _holding = false;
            // Keep what the holder has not confirmed sent (less a lease for what was still on its way to its outboxes):
            // if it dies, this process takes over from its last mark, however long the takeover took.
            var confirmed = (lease.DeliveredUpTo is { } mark && mark < now ? mark : now) - options.Value.LeaseDuration;
            foreach (var outbox in _outboxes.Values)
            {
                outbox.StopSending();
                outbox.ForgetOlderThan(confirmed);
            }
        }
        if (_holding)
        {
            await ReportAsync();
        }
    }

    /// <summary>
    /// The time up to which everything this process heard was sent: the oldest change still waiting in an outbox, being
    /// matched or waiting to be matched (a change read but not yet queued is not sent either).
    /// </summary>
    private DateTimeOffset OldestNotYetQueued(DateTimeOffset now)
    {
        var oldest = _outboxes.Values.Select(o => o.OldestUnsent).Where(t => t is not null).DefaultIfEmpty(now).Min()!.Value;
        foreach (var ticks in new[] { Interlocked.Read(ref _matchingSince), Interlocked.Read(ref _catchingUpSince) })
        {
            if (ticks > 0 && new DateTimeOffset(ticks, TimeSpan.Zero) < oldest)
            {
                oldest = new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }
        if (_changes.Reader.TryPeek(out var waiting) && waiting.At < oldest)
        {
            oldest = waiting.At;
        }
        return oldest;
    }

    /// <summary>
    /// Taking the lease over: every entity the subscriptions select is matched again, read from the twin itself, so that a
    /// change this process never heard through its observer (pushes to API processes are not acknowledged, and those in
    /// flight when a process dies are lost) is still notified. Not filtered by the entities' times: those are the devices'
    /// observedAt (late or buffered readings carry older ones, some entities none), not when the twin heard of them.
    /// Queued as of the previous holder's mark, so that the mark this process reports stays there until they are sent.
    /// Duplicates, not losses.
    /// </summary>
    private async Task CatchUpAsync(DateTimeOffset since, CancellationToken stopping)
    {
        try
        {
            var now = time.GetUtcNow();
            var outboxes = _outboxes.Values.Where(o => o.Subscription.Definition.TimeInterval is null
                && o.Subscription.Definition.StatusAt(now) == SubscriptionStatus.Active).ToList();
            if (outboxes.Count == 0)
            {
                return;
            }
            var entities = await ReadSelectedAsync(outboxes);
            var caughtUp = 0;
            foreach (var entity in entities)
            {
                stopping.ThrowIfCancellationRequested();
                // Every attribute may have changed: watchedAttributes match whichever they name.
                var change = new NgsiChange(entity.Id, entity.Type, null, since);
                foreach (var outbox in outboxes.Where(o => o.Subscription.Definition.Watches(change)))
                {
                    // Hub watchers heard the changes this process heard as they came; the catch-up is for receivers only.
                    Queue(outbox, entity, since, toHub: false);
                    caughtUp++;
                }
            }
            logger.LogInformation("Took the notification lease over: {Count} notifications of changes since {Since:O} queued again", caughtUp, since);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not read the entities changed since the previous lease holder's mark; what this process heard is sent");
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Exchange(ref _catchingUpSince, 0);
        }
    }

    private async Task ReloadAsync(INgsiSubscriptionIndexGrain index, CancellationToken stopping)
    {
        var entries = await index.List();
        var ids = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in ids.Concat(_outboxes.Keys.Where(k => !ids.Contains(k))).ToList())
        {
            await ApplyAsync(id, stopping);
        }
    }

    private async Task ReportAsync()
    {
        foreach (var (id, outbox) in _outboxes)
        {
            var counters = outbox.TakeCounters();
            if (counters != NotificationCounters.None)
            {
                await grains.GetGrain<INgsiSubscriptionGrain>(id).Report(counters);
            }
        }
    }

    private async Task StopSendingAsync()
    {
        try
        {
            if (_holding)
            {
                await ReportAsync().WaitAsync(TimeSpan.FromSeconds(2));
                await grains.GetGrain<INgsiSubscriptionIndexGrain>(0).ReleaseLease(_processId).WaitAsync(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Counters or lease not handed back on shutdown; the lease lapses on its own");
        }
        _holding = false;
        foreach (var outbox in _outboxes.Values)
        {
            await outbox.DisposeAsync();
        }
        _outboxes.Clear();
        RememberWatchedTypes();
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
