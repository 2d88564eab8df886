using IocTwin.Api.Streaming;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// The notification lease: which API process sends, the mark of what it sent that a successor sends again from, and
/// the catch-ups that read from the twin what a new holder (or one that did not hear for a while) may have missed.
/// </summary>
public sealed partial class NotificationDispatcher
{
    // The mark a catch-up re-queues from (UTC ticks; 0: none), held until it queued everything.
    private long _catchingUpSince;
    private readonly Lock _catchUpGate = new();
    private int _catchUpsRunning;
    private DateTimeOffset? _handoverMark;
    private long _version = -1;
    // The last time this process did not hear that it read again what changed during (ObserverHearing.Gap.Number).
    private long _gapCaughtUp;

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
        var heard = hearing.Now;
        if (!_holding && !heard.Hears)
        {
            // A process that may not hear every change does not take the lease: it would not notify what passed it by.
            return;
        }
        var gap = heard.LastGap;
        if (_holding && heard.Hears && gap.Number != _gapCaughtUp)
        {
            // Holding while this process did not hear: what changed meanwhile is read from the twin and sent. Not from
            // before the previous holder's mark, which the outboxes skip (that was the previous holder's to send).
            _gapCaughtUp = gap.Number;
            var since = _handoverMark is { } handover && handover > gap.Since ? handover : gap.Since;
            StartCatchUp(since - SubscriptionOutbox.HandoverMargin, stopping);
        }
        var now = time.GetUtcNow();
        // Nothing past the time this process stopped hearing counts as sent: a successor sends again from there.
        DateTimeOffset? sentUpTo = _holding ? Earlier(OldestNotYetQueued(now), heard.DeafSince) : null;
        var lease = await index.HoldLease(_processId, options.Value.LeaseDuration, sentUpTo);
        if (lease.Held && !_holding)
        {
            logger.LogInformation("This process sends NGSI-LD notifications now");
            _handoverMark = lease.DeliveredUpTo;
            _holding = true;
            // What this process did not hear before it held the lease is the previous holder's to have sent.
            _gapCaughtUp = gap.Number;
            foreach (var outbox in _outboxes.Values)
            {
                outbox.StartSending(_handoverMark);
            }
            if (_handoverMark is { } mark)
            {
                StartCatchUp(mark - SubscriptionOutbox.HandoverMargin, stopping);
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

    private void StartCatchUp(DateTimeOffset since, CancellationToken stopping)
    {
        // Held before the catch-up starts, so that no mark reported while it reads passes what it has to queue.
        lock (_catchUpGate)
        {
            _catchUpsRunning++;
            var ticks = Interlocked.Read(ref _catchingUpSince);
            Interlocked.Exchange(ref _catchingUpSince, ticks > 0 && ticks < since.UtcTicks ? ticks : since.UtcTicks);
        }
        _ = CatchUpAsync(since, stopping);
    }

    private static DateTimeOffset Earlier(DateTimeOffset time, DateTimeOffset? other) => other is { } o && o < time ? o : time;

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
    /// Taking the lease over, or holding it after this process did not hear for a while (<see cref="ObserverHearing"/>):
    /// every entity the subscriptions select is matched again, read from the twin itself, so that a change this process
    /// never heard through its observer (pushes to API processes are not acknowledged, and those in flight when a
    /// process dies are lost) is still notified. Not filtered by the entities' times: those are the devices'
    /// observedAt (late or buffered readings carry older ones, some entities none), not when the twin heard of them.
    /// Queued as of the previous holder's mark (or the start of the gap), so that the mark this process reports stays
    /// there until they are sent.
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
            logger.LogInformation("Read again what changed since {Since:O}: {Count} notifications queued", since, caughtUp);
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
            lock (_catchUpGate)
            {
                // The earliest mark is held until every catch-up running has queued what it read.
                if (--_catchUpsRunning == 0)
                {
                    Interlocked.Exchange(ref _catchingUpSince, 0);
                }
            }
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
}
