using System.Collections.Concurrent;
using IocTwin.Api.Json;
using IocTwin.Model;
using IocTwin.Api.Streaming;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Streaming;

public enum HubProtocol
{
    Json,
    MessagePack,
}

/// <summary>
/// An operator's screen on the twin hub, as a .NET SignalR client: it records every frame the server sends,
/// in order of arrival, so tests can ask what the screen saw.
/// </summary>
public sealed class LiveScreen : IAsyncDisposable
{
    private readonly ConcurrentQueue<object> _received = new();

    private LiveScreen(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    /// <summary>Every delta, resync and snapshot-part frame received so far, in order of arrival.</summary>
    public IReadOnlyList<object> Received => [.. _received];

    public IReadOnlyList<DeltaFrame> Deltas => [.. _received.OfType<DeltaFrame>()];

    public IReadOnlyList<ResyncFrame> Resyncs => [.. _received.OfType<ResyncFrame>()];

    public IReadOnlyList<SnapshotPartFrame> PartsOf(string scope) => [.. _received.OfType<SnapshotPartFrame>().Where(p => p.Scope == scope)];

    public static Uri HubUrl(TwinApiFactory api) => new(api.Http.BaseAddress!, "/hubs/twin");

    /// <summary>Builds a screen on WebSockets without starting it; a null token connects without one.</summary>
    public static LiveScreen Create(TwinApiFactory api, string? token, HubProtocol protocol = HubProtocol.Json)
    {
        var builder = new HubConnectionBuilder().WithUrl(HubUrl(api), HttpTransportType.WebSockets, o =>
        {
            if (token is not null)
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }
        });
        builder = protocol == HubProtocol.MessagePack
            ? builder.AddMessagePackProtocol()
            : builder.AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions));
        var screen = new LiveScreen(builder.Build());
        screen.Connection.On<DeltaFrame>(HubMethods.Delta, frame => screen._received.Enqueue(frame));
        screen.Connection.On<ResyncFrame>(HubMethods.Resync, frame => screen._received.Enqueue(frame));
        screen.Connection.On<SnapshotPartFrame>(HubMethods.SnapshotPart, frame => screen._received.Enqueue(frame));
        return screen;
    }

    public static async Task<LiveScreen> ConnectAsync(TwinApiFactory api, string? token, HubProtocol protocol = HubProtocol.Json)
    {
        var screen = Create(api, token, protocol);
        await screen.Connection.StartAsync();
        return screen;
    }

    public Task<ScopeSnapshot> Subscribe(string scope) => Connection.InvokeAsync<ScopeSnapshot>("Subscribe", scope);

    public IReadOnlyList<DeltaFrame> DeltasOf(string scope) => [.. Deltas.Where(d => d.Scope == scope)];

    /// <summary>
    /// The sequence numbers the scope's deltas above the snapshot stand for, in order of arrival: a frame that merges
    /// several (held behind the snapshot) stands for every number from its First to its Sequence.
    /// </summary>
    public List<long> SequencesAfter(ScopeSnapshot snapshot) => SequencesAbove(snapshot.Sequence, DeltasOf(snapshot.Scope));

    /// <summary>The sequence numbers the deltas above <paramref name="sequence"/> stand for, in order of arrival.</summary>
    public static List<long> SequencesAbove(long sequence, IEnumerable<DeltaFrame> deltas) =>
    [
        .. deltas.Where(d => d.Sequence > sequence).SelectMany(d =>
        {
            var first = Math.Max(d.First ?? d.Sequence, sequence + 1);
            return Enumerable.Range(0, (int)(d.Sequence - first + 1)).Select(i => first + i);
        }),
    ];

    /// <summary>Waits for a delta of the scope that satisfies the condition, among those received so far or later.</summary>
    public async Task<DeltaFrame> WaitForDelta(string scope, Func<DeltaFrame, bool> condition, string because, TimeSpan? timeout = null)
    {
        var seen = await Eventually.Until(
            () => Task.FromResult(DeltasOf(scope).FirstOrDefault(condition)),
            frame => frame is not null,
            timeout ?? TimeSpan.FromSeconds(10),
            because);
        return seen!;
    }

    /// <summary>
    /// The parts of a snapshot sent in parts, once all have come, in order; only those received from
    /// <paramref name="from"/> on (an index into <see cref="Received"/>: frames after an earlier subscription's).
    /// </summary>
    public async Task<List<SnapshotPartFrame>> WaitForParts(ScopeSnapshot snapshot, int from = 0)
    {
        List<SnapshotPartFrame> Parts() =>
            [.. Received.Skip(from).OfType<SnapshotPartFrame>().Where(p => p.Scope == snapshot.Scope && p.Sequence == snapshot.Sequence)];
        await Eventually.Until(() => Task.FromResult(Parts().Count), n => n >= snapshot.Parts, TimeSpan.FromSeconds(10),
            $"the {snapshot.Parts} parts of the {snapshot.Scope} snapshot arrive");
        return Parts();
    }

    /// <summary>
    /// A sensor as the screen shows it once a snapshot is in: the snapshot's record, then the newer record of each delta
    /// of the scope above the snapshot's sequence, in sequence order (some may have come ahead of the snapshot).
    /// </summary>
    public SensorView ShownSensor(ScopeSnapshot snapshot, string id)
    {
        var shown = snapshot.Sensors.Single(s => s.Id == id);
        foreach (var delta in DeltasOf(snapshot.Scope).Where(d => d.Sequence > snapshot.Sequence).OrderBy(d => d.Sequence))
        {
            if (delta.Sensors.Find(s => s.Id == id) is { } newer && newer.ReadingCount >= shown.ReadingCount)
            {
                shown = newer;
            }
        }
        return shown;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
