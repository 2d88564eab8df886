using System.Collections.Concurrent;
using System.Diagnostics;
using IocTwin.Api.Apis;
using IocTwin.Api.Streaming.Shared;
using IocTwin.Model;
using IocTwin.Telemetry;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Fans the twin's live updates out to the screens connected to this API process. Changes are merged per scope
/// and sent at most <see cref="StreamingOptions.MaxFramesPerSecond"/> times a second, each scope at slots of its own
/// (<see cref="FrameSlots"/>); a scope that let its slot pass with nothing to send sends a change at once. Each client has its own
/// bounded outbox and sender, so a slow client cannot slow the others or the grains; a client whose outbox
/// overflows loses its queued frames and is told to resync — never a silent gap. A frame is serialized once per
/// protocol, however many clients it goes to.
/// </summary>
public sealed class ScopeDispatcher : BackgroundService
{
    private readonly TwinHubLifetimeManager hub;
    private readonly IOptions<StreamingOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<ScopeDispatcher> logger;
    private readonly HeldTwin held;
    private readonly HeldAssets heldAssets;
    /// <summary>The scopes' frame slots; used under the lock.</summary>
    private readonly FrameSlots slots;

    public ScopeDispatcher(
        TwinHubLifetimeManager hub, IOptions<StreamingOptions> options, TimeProvider time, ILogger<ScopeDispatcher> logger, KnownEntities known,
        HeldTwin held, HeldAssets heldAssets)
    {
        this.heldAssets = heldAssets;
        this.hub = hub;
        this.options = options;
        this.time = time;
        this.logger = logger;
        this.held = held;
        slots = new FrameSlots((long)(FrameInterval.TotalSeconds * time.TimestampFrequency));
        known.AreasChanged += OnAreasChanged;
        heldAssets.FilledLate += OnAssetsFilledLate;
    }

    /// <summary>The assets were read only after earlier reads failed: screens that hold assets take a new snapshot.</summary>
    private void OnAssetsFilledLate()
    {
        lock (_gate)
        {
            foreach (var (key, state) in _scopes)
            {
                if (state.Scope.Kind is ScopeKind.City or ScopeKind.District or ScopeKind.Sector)
                {
                    SendToSubscribers(state, HubMethods.Resync, new ResyncFrame(key, "The assets this scope covers were read late."));
                }
            }
        }
    }

    /// <summary>
    /// Frames a subscriber may be sent ahead of shared records before newer ones are made for it; shared records with
    /// more frames after them are dropped, so a screen open for days does not keep every frame it was sent.
    /// </summary>
    public int MaxReplayFrames => Math.Clamp(options.Value.OutboxCapacity / 4, 1, 16);

    /// <summary>How long a city or sector scope with shared records outlives its last subscriber.</summary>
    private static readonly TimeSpan SharedLinger = TimeSpan.FromSeconds(30);

    /// <summary>A client's outbox always has room for a resync of each of its scopes.</summary>
    public const int MaxScopesPerConnection = 16;

    private readonly ConcurrentDictionary<string, ClientConnection> _connections = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ScopeState> _scopes = [];

    public void Connect(string connectionId)
    {
        if (hub.Find(connectionId) is { } connection)
        {
            // The outbox always has room for a resync of each scope.
            _connections[connectionId] = new ClientConnection(connection, options.Value, MaxScopesPerConnection + 1, logger);
        }
    }

    public void Disconnect(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var connection))
        {
            return;
        }
        lock (_gate)
        {
            foreach (var scope in connection.Scopes)
            {
                Leave(scope, connectionId);
            }
        }
        connection.Close();
    }

    /// <summary>
    /// Adds the client to the scope and returns the scope's sequence: deltas above it follow the snapshot. A city or
    /// sector scope's records are shared (<paramref name="takeHeld"/> takes them when none are current): the client is
    /// then sent the frames that followed them, and its snapshot carries their sequence. The scope's frames for the client
    /// are held until <see cref="Release"/> is called with the snapshot's parts, so that they follow them.
    /// </summary>
    public ScopeJoin Subscribe(string connectionId, TwinScope scope, Func<long, Task<HeldRecords>>? takeHeld = null)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            throw new InvalidOperationException("Connection is closed.");
        }
        var key = scope.ToString();
        lock (_gate)
        {
            if (!_scopes.TryGetValue(key, out var state))
            {
                var shared = scope.Kind is ScopeKind.City or ScopeKind.Sector ? new SharedScopeRecords(_gate, MaxReplayFrames, logger) : null;
                _scopes[key] = state = new ScopeState(scope, time.GetUtcNow().ToUnixTimeMilliseconds(), shared) { Phase = slots.NextPhase() };
            }
            if (!connection.HasScope(key) && connection.Scopes.Count >= MaxScopesPerConnection)
            {
                throw new SubscriptionRefused(RefusalReason.Limit, $"A connection holds at most {MaxScopesPerConnection} scopes.");
            }
            state.Subscribers.Add(connectionId);
            connection.Join(key);
            // The assets as of joining, under the lock that queues asset frames: every later move comes as a frame.
            var assets = scope.Kind is ScopeKind.City or ScopeKind.District or ScopeKind.Sector ? heldAssets.CoveredBy(state.Scope) : null;
            if (takeHeld is null || state.Shared is null)
            {
                return new ScopeJoin(state.Sequence, null, assets) { Hold = connection.Hold(key) };
            }
            var served = state.Shared.For(state.Sequence, held.Generation, takeHeld);
            var hold = connection.Hold(key);
            // Ahead of every later frame: under the lock that sends frames.
            served.FramesSince.ForEach(frame => connection.Send(key, frame.Message, frame.Frame));
            return new ScopeJoin(served.Sequence, served.Records, assets) { Hold = hold };
        }
    }

    /// <summary>
    /// The client's snapshot of the scope is read (or failed): its parts, if any, are queued for the client, then the scope's
    /// frames held since it joined. Called once for each <see cref="Subscribe"/> that returned.
    /// </summary>
    public void Release(string connectionId, TwinScope scope, ScopeJoin joined, SnapshotParts? parts)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var connection))
            {
                connection.Release(scope.ToString(), joined.Hold, parts);
            }
        }
    }

    /// <summary>The most frames a scope keeps after its shared records for a later subscriber (0 when it keeps none).</summary>
    public int FramesKeptForLaterSubscribers(string scopeKey)
    {
        lock (_gate)
        {
            return _scopes.TryGetValue(scopeKey, out var state) ? state.Shared?.FramesKept ?? 0 : 0;
        }
    }

    /// <summary>
    /// The topology changed (an entity registered or moved, an area re-parented): records shared by city and sector
    /// screens are taken again for their next subscriber; after a move, the screens of area scopes covering these areas
    /// (every area scope when none are named) take a new snapshot, as what they hold may include what is no longer theirs.
    /// </summary>
    public void OnTopologyChanged(IReadOnlyCollection<string> areaIds, bool resyncAreaScopes)
    {
        lock (_gate)
        {
            foreach (var (key, state) in _scopes)
            {
                state.Shared?.Forget();
                if (resyncAreaScopes && state.Scope.Kind == ScopeKind.District && (areaIds.Count == 0 || state.Scope.Covered.Overlaps(areaIds)))
                {
                    SendToSubscribers(state, HubMethods.Resync, new ResyncFrame(key, "The topology this scope covers changed."));
                }
            }
        }
    }

    public void Unsubscribe(string connectionId, TwinScope scope)
    {
        var key = scope.ToString();
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var connection))
            {
                connection.Leave(key);
            }
            Leave(key, connectionId);
        }
    }

    public int ConnectionCount => _connections.Count;

    /// <summary>Called by the process's grain observer for every batch of updates.</summary>
    public void OnUpdates(DistrictUpdate[] districts, CityView? city)
    {
        lock (_gate)
        {
            foreach (var state in _scopes.Values)
            {
                var scope = state.Scope;
                if (city is not null && scope.Kind == ScopeKind.City && city.Version >= (state.City?.Version ?? -1))
                {
                    state.City = city;
                }
                foreach (var district in districts)
                {
                    foreach (var alert in district.Alerts)
                    {
                        if (scope.Covers(alert))
                        {
                            // Alerts are not merged away: each one goes out at once.
                            SendToSubscribers(state, HubMethods.Alert, new AlertFrame(state.Scope.ToString(), alert));
                        }
                    }
                    if (scope.Sees(district) is { } seen)
                    {
                        state.Change(seen);
                    }
                    foreach (var segment in district.Segments)
                    {
                        if (scope.Covers(segment))
                        {
                            state.Segments[segment.Id] = segment;
                        }
                    }
                    foreach (var sensor in district.Sensors)
                    {
                        if (scope.Covers(sensor))
                        {
                            state.Sensors[sensor.Id] = sensor;
                        }
                    }
                }
            }
            SendDueFrames();
        }
    }

    /// <summary>Asset positions, merged per scope like other updates and sent with its next frame.</summary>
    public void OnAssets(AssetUpdate[] updates)
    {
        lock (_gate)
        {
            heldAssets.Apply(updates);
            foreach (var state in _scopes.Values)
            {
                foreach (var update in updates)
                {
                    state.Assets.Apply(state.Scope, update);
                }
            }
            SendDueFrames();
        }
    }

    /// <summary>A citizen report filed or moved on: sent at once to every subscribed scope that covers it, as alerts are.</summary>
    public void OnReport(ReportView report)
    {
        lock (_gate)
        {
            foreach (var state in _scopes.Values)
            {
                if (state.Scope.Covers(report))
                {
                    SendToSubscribers(state, HubMethods.Report, new ReportFrame(state.Scope.ToString(), report));
                }
            }
        }
    }

    /// <summary>
    /// The tree of areas changed: every area scope covers what lies below its areas now, and the screens of a scope whose
    /// areas changed take a new snapshot (what they hold may include areas no longer theirs, or miss new ones).
    /// </summary>
    public void OnAreasChanged(AreaTree tree)
    {
        lock (_gate)
        {
            foreach (var (key, state) in _scopes)
            {
                var scope = state.Scope.WithAreas(tree);
                if (scope.Covered.SetEquals(state.Scope.Covered))
                {
                    continue;
                }
                state.Scope = scope;
                state.Shared?.Forget();
                SendToSubscribers(state, HubMethods.Resync, new ResyncFrame(key, "The areas this scope covers changed."));
            }
        }
    }

    /// <summary>
    /// Takes note of the districts a scope's snapshot held: a district or sector scope's total is counted over all of
    /// them, and deltas hold only those that changed.
    /// </summary>
    public void Seed(TwinScope scope, IEnumerable<DistrictView> districts)
    {
        lock (_gate)
        {
            if (_scopes.TryGetValue(scope.ToString(), out var state))
            {
                state.Seed(districts);
            }
        }
    }

    /// <summary>Scenario progress is rare and small: sent at once to the scope's subscribers.</summary>
    public void OnScenario(ScenarioProgress progress)
    {
        var key = new TwinScope(ScopeKind.Scenario, progress.ScenarioId, []).ToString();
        lock (_gate)
        {
            if (!_scopes.TryGetValue(key, out var state))
            {
                return;
            }
            SendToSubscribers(state, HubMethods.Scenario, new ScenarioFrame(key, progress));
        }
    }

    /// <summary>The time between a scope's slots: one frame per interval while it keeps changing.</summary>
    private TimeSpan FrameInterval => TimeSpan.FromSeconds(1 / Math.Clamp(options.Value.MaxFramesPerSecond, 0.1, 100));

    /// <summary>
    /// How often scopes are looked at for a frame whose slot is up: a tenth of the interval (at 10 frames a second and
    /// below), so that a change waiting for its slot goes out within a tick of it and scopes' slots fall on different ticks.
    /// </summary>
    private TimeSpan Tick => TimeSpan.FromTicks(Math.Max(FrameInterval.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        var tick = 0L;
        var ticksPerStallCheck = Math.Max(1, (long)(FrameInterval / Tick));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            lock (_gate)
            {
                SendDueFrames();
            }
            if (++tick % ticksPerStallCheck == 0)
            {
                CloseStalledClients();
            }
        }
    }

    /// <summary>
    /// Sends a frame to each scope that has changes and whose slot is up; call under the lock. Called as updates arrive,
    /// so a scope that let its slot pass sends its first change at once (no wait for a tick), and by the timer for the
    /// changes held back until a scope's slot.
    /// </summary>
    private void SendDueFrames()
    {
        var now = time.GetTimestamp();
        foreach (var (key, state) in _scopes)
        {
            if (state.Subscribers.Count == 0 && (state.Shared is not { IsEmpty: false }
                || Stopwatch.GetElapsedTime(state.EmptySince) > SharedLinger))
            {
                _scopes.Remove(key);
                continue;
            }
            if (now < state.NextFrameAt)
            {
                continue;
            }
            var sent = false;
            if (state.Assets.TakeFrame(key) is { } assets)
            {
                SendToSubscribers(state, HubMethods.Assets, assets);
                sent = true;
            }
            if (state.TakeFrame() is { } frame)
            {
                RecordPushLag(state, frame);
                TwinTelemetry.FramesSent.Add(state.Subscribers.Count);
                var message = SendToSubscribers(state, HubMethods.Delta, frame);
                state.Shared?.OnFrame(new SentFrame(message, frame));
                sent = true;
            }
            if (sent)
            {
                state.NextFrameAt = slots.NextAfter(now, state.NextFrameAt, state.Phase);
            }
        }
    }

    private void RecordPushLag(ScopeState state, DeltaFrame frame)
    {
        var now = time.GetUtcNow();
        foreach (var sensor in state.Subscribers.Count > 0 ? frame.Sensors : [])
        {
            if (sensor.LastSeen is { } seen)
            {
                TwinTelemetry.PushLag.Record((now - seen).TotalMilliseconds);
            }
        }
    }

    /// <summary>Closes, with a reason, the clients whose frame has waited to be written longer than the stall allowed.</summary>
    public void CloseStalledClients()
    {
        foreach (var connection in _connections.Values)
        {
            connection.CloseIfStalled();
        }
    }

    /// <summary>Queues a message for every subscriber of a scope and returns it; call under the dispatcher's lock.</summary>
    private SerializedHubMessage SendToSubscribers(ScopeState state, string method, object frame)
    {
        // Serialized by the first sender that writes it, once per protocol, and reused by the others.
        var message = new SerializedHubMessage(new InvocationMessage(method, [frame]));
        foreach (var subscriber in state.Subscribers)
        {
            if (_connections.TryGetValue(subscriber, out var connection))
            {
                connection.Send(state.Key, message, frame as DeltaFrame);
            }
        }
        return message;
    }

    /// <summary>
    /// A scope whose last subscriber left is dropped, but one with shared records is kept a while, its frames still
    /// recorded, so that a screen coming back (a reload, a wall screen switching views) is served from them.
    /// </summary>
    private void Leave(string scopeKey, string connectionId)
    {
        if (_scopes.TryGetValue(scopeKey, out var state) && state.Subscribers.Remove(connectionId) && state.Subscribers.Count == 0)
        {
            if (state.Shared is not { IsEmpty: false })
            {
                _scopes.Remove(scopeKey);
            }
            else
            {
                state.EmptySince = Stopwatch.GetTimestamp();
            }
        }
    }
}
