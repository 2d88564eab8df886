using IocTwin.Api.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Live twin for screens. Subscribe(scope) answers with a snapshot, a big scope's in parts ("snapshot-part" frames,
/// <see cref="SnapshotParts"/>); "delta" frames follow with sequence numbers above the snapshot's; "resync" asks for a
/// new snapshot. Each caller sees only what its token covers. A connection's
/// calls run side by side (<see cref="StreamingOptions.ParallelCallsPerConnection"/>), so a screen opening several
/// scopes gets each snapshot as soon as it is read. Refusals are <see cref="SubscriptionRefused"/>.
/// </summary>
[Authorize(Policy = AccessExtensions.ReadPolicy)]
public sealed class TwinHub(
    ScopeDispatcher dispatcher, TwinSnapshots snapshots, IGrainFactory grains, IAreaTreeSource areas, HeldAssets assets,
    IOptions<StreamingOptions> options) : Hub
{
    public override Task OnConnectedAsync()
    {
        dispatcher.Connect(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        dispatcher.Disconnect(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public async Task<ScopeSnapshot> Subscribe(string scope)
    {
        var parsed = await AuthorizeAsync(scope);
        if (parsed.Kind is ScopeKind.City or ScopeKind.District or ScopeKind.Sector)
        {
            // The assets the process holds are read once; the snapshot carries those the scope covers as it joins.
            await assets.EnsureFilledAsync();
        }
        // Join first, then read: a change made while the snapshot is read arrives as a delta, not lost.
        // A city or sector scope's records are shared by its subscribers, taken once and serialised once.
        var joined = dispatcher.Subscribe(Context.ConnectionId, parsed, sequence => snapshots.TakeHeldAsync(parsed, sequence));
        SnapshotParts? parts = null;
        try
        {
            var snapshot = await snapshots.TakeAsync(parsed, joined);
            dispatcher.Seed(parsed, snapshot.Districts);
            // A big scope answers with its areas and first records: the screen draws it at once, the parts fill it in.
            (snapshot, parts) = SnapshotParts.Split(snapshot, options.Value.SnapshotSegmentsPerFrame, options.Value.SnapshotSensorsPerFrame);
            return snapshot;
        }
        finally
        {
            // The parts, then the frames held since joining: the client gets them in that order.
            dispatcher.Release(Context.ConnectionId, parsed, joined, parts);
        }
    }

    public void Unsubscribe(string scope)
    {
        if (!TwinScope.TryParse(scope, out var parsed, out var error))
        {
            throw new SubscriptionRefused(RefusalReason.Invalid, error!);
        }
        dispatcher.Unsubscribe(Context.ConnectionId, parsed);
    }

    /// <summary>
    /// Sends this connection the notifications of an NGSI-LD subscription as "ngsiNotification" messages, for the
    /// subscription's owner scope (the IOC any): <see cref="NgsiLd.Subscriptions.NgsiNotificationFrame"/>.
    /// </summary>
    public async Task WatchNgsiSubscription(string subscriptionId)
    {
        var access = TwinAccess.From(Context.User!);
        var owner = await grains.GetGrain<Grains.INgsiSubscriptionIndexGrain>(0).Find(subscriptionId);
        if (owner is null)
        {
            throw access.SeesEverything
                ? new SubscriptionRefused(RefusalReason.Unknown, $"Unknown subscription '{subscriptionId}'.")
                : new SubscriptionRefused(RefusalReason.Forbidden, $"Forbidden: your token does not cover '{subscriptionId}'.");
        }
        if (!NgsiLd.Subscriptions.SubscriptionScope.CanManage(access, owner))
        {
            throw new SubscriptionRefused(RefusalReason.Forbidden, $"Forbidden: your token does not cover '{subscriptionId}'.");
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, NgsiLd.Subscriptions.NotificationDispatcher.GroupOf(subscriptionId));
    }

    public Task UnwatchNgsiSubscription(string subscriptionId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, NgsiLd.Subscriptions.NotificationDispatcher.GroupOf(subscriptionId));

    private async Task<TwinScope> AuthorizeAsync(string scope)
    {
        if (!TwinScope.TryParse(scope, out var parsed, out var error))
        {
            throw new SubscriptionRefused(RefusalReason.Invalid, error!);
        }
        // An area scope covers the areas below those it names; a token naming an area above them covers it too.
        parsed = await snapshots.WithAreasAsync(parsed);
        var access = TwinAccess.From(Context.User!, areas);
        var allowed = parsed.Kind switch
        {
            ScopeKind.City => access.SeesEverything,
            ScopeKind.District => parsed.DistrictIds.All(access.CanSeeAllOfDistrict),
            ScopeKind.Sector => parsed.Sectors.All(access.CanSeeSector),
            ScopeKind.Entity => await snapshots.LocateEntityAsync(parsed.Id!) is { Count: > 0 } entities
                ? entities.All(e => access.CanSeeSensor(e.DistrictId, e.Sector))
                : access.SeesEverything ? throw new SubscriptionRefused(RefusalReason.Unknown, $"Unknown entity '{parsed.Id}'.") : false,
            // The same rule as the REST API: a scenario is its creator's, and the IOC's.
            ScopeKind.Scenario => await snapshots.FindScenarioAsync(parsed.Id!) is { } scenario
                ? access.CanSeeScenario(scenario.Creator)
                : access.SeesEverything ? throw new SubscriptionRefused(RefusalReason.Unknown, $"Unknown scenario '{parsed.Id}'.") : false,
            _ => false,
        };
        if (!allowed)
        {
            throw new SubscriptionRefused(RefusalReason.Forbidden, $"Forbidden: your token does not cover '{scope}'.");
        }
        // Only once access is settled, so nobody learns what exists outside their scope.
        return await snapshots.ExistsAsync(parsed)
            ? parsed
            : throw new SubscriptionRefused(RefusalReason.Unknown, $"Unknown {parsed.Kind.ToString().ToLowerInvariant()} '{parsed.Id}'.");
    }
}
