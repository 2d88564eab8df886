using System.Diagnostics;
using System.Threading.Channels;
using IocTwin.Telemetry;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace IocTwin.Api.Streaming;

/// <summary>
/// One client's outbox and its sender. A client that falls behind has its queued frames replaced by a resync of each
/// of its scopes; one whose frame has waited longer than <see cref="StreamingOptions.MaxStall"/> to be written is
/// closed with a reason it can show, sent behind what it has not read yet. While a scope's snapshot is read, the scope's
/// frames for this client are held (<see cref="Hold"/>), then queued behind the snapshot's parts (<see cref="Release"/>):
/// the client gets snapshot, parts, deltas, in that order.
/// </summary>
internal sealed class ClientConnection
{
    public const string StallReason = "The screen stopped reading the live feed for more than {0:N0} s; reconnect and subscribe again.";

    private readonly HubConnectionContext _connection;
    private readonly Channel<Outgoing> _outbox;
    private readonly Lock _writeGate = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly StreamingOptions _options;
    private readonly int _capacity;
    private readonly ILogger _logger;
    private long _writeStartedAt;
    private string? _closeReason;
    /// <summary>Counts the times the outbox was dropped: parts being written stop when it changes.</summary>
    private int _drops;
    /// <summary>Frames of scopes whose snapshot is being read, by scope; guarded by the dispatcher's lock.</summary>
    private readonly Dictionary<string, HeldFrames> _held = [];

    public ClientConnection(HubConnectionContext connection, StreamingOptions options, int minimumCapacity, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _logger = logger;
        _capacity = Math.Max(minimumCapacity, options.OutboxCapacity);
        _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(_capacity)
        {
            // The sender reads; an overflowing writer also drains.
            SingleReader = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ = Task.Run(SendAsync);
    }

    /// <summary>Scope keys this client subscribed to; guarded by the dispatcher's lock.</summary>
    public HashSet<string> Scopes { get; } = [];

    /// <summary>Queues a frame of a scope, or holds it while the scope's snapshot is read; call under the dispatcher's lock.</summary>
    public void Send(string scope, SerializedHubMessage message)
    {
        if (!_held.TryGetValue(scope, out var held))
        {
            Send(message);
        }
        else if (held.Frames.Count < _capacity)
        {
            held.Frames.Add(message);
        }
        else
        {
            // Too many to send behind the snapshot: the client is told to take another instead.
            held.Frames.Clear();
            held.Resync = true;
        }
    }

    /// <summary>Holds the scope's frames until its snapshot is read; each hold is released once (<see cref="Release"/>).</summary>
    public void Hold(string scope)
    {
        if (!_held.TryGetValue(scope, out var held))
        {
            _held[scope] = held = new HeldFrames();
        }
        held.Holders++;
    }

    /// <summary>
    /// The scope's snapshot is read: its parts (if any) are queued, then the frames held meanwhile, all of which follow
    /// the snapshot. Call under the dispatcher's lock.
    /// </summary>
    public void Release(string scope, SnapshotParts? parts)
    {
        if (parts is not null && Scopes.Contains(scope))
        {
            Send(new Outgoing(null, parts));
        }
        if (!_held.TryGetValue(scope, out var held) || --held.Holders > 0)
        {
            return;
        }
        _held.Remove(scope);
        if (held.Resync)
        {
            TwinTelemetry.Resyncs.Add(1);
            Send(ResyncOf(scope));
            return;
        }
        held.Frames.ForEach(Send);
    }

    /// <summary>The client left the scope: what was held for it goes nowhere.</summary>
    public void Forget(string scope) => _held.Remove(scope);

    public void Send(SerializedHubMessage message) => Send(new Outgoing(message, null));

    private void Send(Outgoing item)
    {
        lock (_writeGate)
        {
            if (_closeReason is not null || _outbox.Writer.TryWrite(item))
            {
                return;
            }
            // Fallen behind: what is queued is stale anyway. Drop it and tell the client to take a new snapshot.
            Interlocked.Increment(ref _drops);
            while (_outbox.Reader.TryRead(out _))
            {
            }
            foreach (var held in _held.Values)
            {
                held.Frames.Clear();
            }
            foreach (var scope in Scopes)
            {
                _outbox.Writer.TryWrite(ResyncOf(scope));
            }
            TwinTelemetry.Resyncs.Add(Scopes.Count);
        }
    }

    private static Outgoing ResyncOf(string scope) =>
        new(new SerializedHubMessage(new InvocationMessage(HubMethods.Resync, [new ResyncFrame(scope, "The client fell behind the live feed.")])), null);

    /// <summary>Closes the connection when a frame has waited longer than the stall allowed; true when it did.</summary>
    public bool CloseIfStalled()
    {
        var started = Volatile.Read(ref _writeStartedAt);
        if (started == 0 || Stopwatch.GetElapsedTime(started) <= _options.MaxStall)
        {
            return false;
        }
        lock (_writeGate)
        {
            if (_closeReason is not null)
            {
                return false;
            }
            _closeReason = string.Format(System.Globalization.CultureInfo.InvariantCulture, StallReason, _options.MaxStall.TotalSeconds);
            _outbox.Writer.TryComplete();
        }
        TwinTelemetry.StallCloses.Add(1);
        _logger.LogInformation("Closing connection {Connection}: no frame taken for {Stall:N0} s", _connection.ConnectionId, _options.MaxStall.TotalSeconds);
        // Lets the waiting frame's write return, its bytes still queued, so that the close message can follow them.
        if (_connection.Features.Get<IConnectionTransportFeature>() is { } transport)
        {
            transport.Transport.Output.CancelPendingFlush();
        }
        else
        {
            _connection.Abort();
        }
        return true;
    }

    public void Close()
    {
        _outbox.Writer.TryComplete();
        _closed.Cancel();
    }

    private async Task SendAsync()
    {
        try
        {
            await foreach (var item in _outbox.Reader.ReadAllAsync(_closed.Token))
            {
                if (item.Message is { } message)
                {
                    await WriteAsync(() => _connection.WriteAsync(message, _closed.Token));
                }
                else
                {
                    await WritePartsAsync(item.Parts!);
                }
                if (_closeReason is not null)
                {
                    break;
                }
            }
            if (_closeReason is { } reason)
            {
                await SendCloseAsync(reason);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Sending to connection {Connection} stopped", _connection.ConnectionId);
        }
    }

    /// <summary>
    /// A snapshot's parts, one frame each, written straight from the shared records' bytes; they stop when the outbox is
    /// dropped meanwhile (the client is told to resync) or the connection is closing.
    /// </summary>
    private async Task WritePartsAsync(SnapshotParts parts)
    {
        var drops = Volatile.Read(ref _drops);
        foreach (var frame in parts.Frames())
        {
            if (_closeReason is not null || Volatile.Read(ref _drops) != drops)
            {
                return;
            }
            await WriteAsync(() => _connection.WriteAsync(new InvocationMessage(HubMethods.SnapshotPart, [frame]), _closed.Token));
        }
    }

    /// <summary>A write, timed so that a client not taking it is found stalled.</summary>
    private async Task WriteAsync(Func<ValueTask> write)
    {
        Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
        await write();
        Volatile.Write(ref _writeStartedAt, 0);
    }

    /// <summary>The close message with the reason, behind the frames not read yet; dropped if not read within the grace.</summary>
    private async Task SendCloseAsync(string reason)
    {
        using var grace = new CancellationTokenSource(_options.CloseGrace);
        using var drop = grace.Token.Register(_connection.Abort);
        // The client may reconnect at once: it then subscribes again, taking fresh snapshots.
        await _connection.WriteAsync(new CloseMessage(reason, allowReconnect: true));
        // A client reading it closes the connection itself; one that does not is dropped when the grace ends.
        await Task.Delay(Timeout.InfiniteTimeSpan, _connection.ConnectionAborted).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>A frame to write, or a snapshot's parts.</summary>
    private readonly record struct Outgoing(SerializedHubMessage? Message, SnapshotParts? Parts);

    /// <summary>A scope's frames held while its snapshot is read, by as many calls as <see cref="Holders"/>.</summary>
    private sealed class HeldFrames
    {
        public int Holders { get; set; }
        public List<SerializedHubMessage> Frames { get; } = [];
        /// <summary>More frames came than the outbox holds: a resync is sent instead.</summary>
        public bool Resync { get; set; }
    }
}
