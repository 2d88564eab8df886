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
/// closed with a reason it can show, sent behind what it has not read yet. While a scope's snapshot is read and its parts
/// are written, the scope's frames for this client are held (<see cref="Hold"/>, <see cref="Release"/>), its deltas merged
/// into one (<see cref="HeldDeltas"/>), and queued once the last part is written: the client gets snapshot, parts,
/// deltas, in that order, and a big snapshot under a busy feed does not fill the outbox with deltas it will supersede.
/// Frames still queued for a scope the client has left are not written: a screen that moved on reads the next scope's
/// answer without first reading through the last one's frames.
/// </summary>
internal sealed class ClientConnection
{
    public const string StallReason = "The screen stopped reading the live feed for more than {0:N0} s; reconnect and subscribe again.";

    /// <summary>
    /// Frames other than deltas (alerts, reports, assets) a scope may hold behind its snapshot's parts, about 25 s of
    /// them at the dispatcher's pace; they are not merged, so past this the client takes a new snapshot instead.
    /// </summary>
    private const int HeldOthersLimit = 256;

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
    /// <summary>Frames of scopes whose snapshot is being read or whose parts are being written, by scope; guarded by the write gate.</summary>
    private readonly Dictionary<string, HeldFrames> _held = [];
    /// <summary>Numbers the holds, so that a release finds its own hold and not one taken after the scope was left.</summary>
    private long _holds;
    /// <summary>Changed under both the dispatcher's lock and the write gate: read under either.</summary>
    private readonly HashSet<string> _scopes = [];

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

    /// <summary>Scope keys this client subscribed to; read under the dispatcher's lock.</summary>
    public IReadOnlyCollection<string> Scopes => _scopes;

    public bool HasScope(string scope) => _scopes.Contains(scope);

    /// <summary>The client joined the scope; call under the dispatcher's lock.</summary>
    public void Join(string scope)
    {
        lock (_writeGate)
        {
            _scopes.Add(scope);
        }
    }

    /// <summary>The client left the scope: what was held for it goes nowhere. Call under the dispatcher's lock.</summary>
    public void Leave(string scope)
    {
        lock (_writeGate)
        {
            _scopes.Remove(scope);
            _held.Remove(scope);
        }
    }

    /// <summary>
    /// Queues a frame of a scope, or holds it while the scope's snapshot is read or its parts written: a delta
    /// (<paramref name="delta"/>, the frame <paramref name="message"/> carries) is merged into those held, other frames
    /// are kept in order. Call under the dispatcher's lock.
    /// </summary>
    public void Send(string scope, SerializedHubMessage message, DeltaFrame? delta = null)
    {
        lock (_writeGate)
        {
            if (!_held.TryGetValue(scope, out var held))
            {
                Send(new Outgoing(message, null, null, null, scope));
            }
            else if (delta is not null)
            {
                held.Hold(message, delta);
            }
            else if (held.Others.Count < HeldOthersLimit)
            {
                held.Others.Add(message);
            }
            else
            {
                // Alerts and other frames are not merged: past the limit the client takes a new snapshot instead.
                held.Clear();
                held.Resync = true;
            }
        }
    }

    /// <summary>
    /// Holds the scope's frames until its snapshot is read; each hold is released once, with the number returned
    /// (<see cref="Release"/>).
    /// </summary>
    public long Hold(string scope)
    {
        lock (_writeGate)
        {
            if (!_held.TryGetValue(scope, out var held))
            {
                _held[scope] = held = new HeldFrames(++_holds);
            }
            held.Holders++;
            return held.Id;
        }
    }

    /// <summary>
    /// The scope's snapshot is read: its parts (if any) are queued, and the frames held meanwhile, and those that come
    /// while the parts are written, follow the last part. Call under the dispatcher's lock.
    /// </summary>
    public void Release(string scope, long hold, SnapshotParts? parts)
    {
        lock (_writeGate)
        {
            // Not its hold any more: the client left the scope since (and may have joined it again, with a hold and a
            // snapshot of its own), so this snapshot's parts have no one waiting for them.
            if (!_held.TryGetValue(scope, out var held) || held.Id != hold)
            {
                return;
            }
            if (parts is not null && _scopes.Contains(scope))
            {
                held.Pending.Add(parts);
                Send(new Outgoing(null, parts, held, null, scope));
            }
            held.Holders--;
            SendHeldWhenDone(scope, held);
        }
    }

    /// <summary>A snapshot's parts are written (or stopped): the scope's frames held behind them follow once nothing else holds them.</summary>
    private void PartsWritten(SnapshotParts parts, HeldFrames held)
    {
        lock (_writeGate)
        {
            // A dropped outbox or the client leaving the scope let go of what was held meanwhile.
            if (_held.TryGetValue(parts.Scope, out var current) && current == held && held.Pending.Remove(parts))
            {
                SendHeldWhenDone(parts.Scope, held);
            }
        }
    }

    /// <summary>Queues what was held for the scope once its snapshot is read and its parts written; call under the write gate.</summary>
    private void SendHeldWhenDone(string scope, HeldFrames held)
    {
        if (held.Holders > 0 || held.Pending.Count > 0)
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
        // One entry of the outbox for all of them: what was held never overflows it by itself.
        List<SerializedHubMessage> frames = held.TakeDelta(scope) is { } delta ? [delta, .. held.Others] : [.. held.Others];
        held.Others.Clear();
        if (frames.Count > 0)
        {
            Send(new Outgoing(null, null, null, frames, scope));
        }
    }

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
            // What was held is stale too, and parts not written yet are gone: only a snapshot being read still holds.
            foreach (var (scope, held) in _held)
            {
                held.Clear();
                held.Pending.Clear();
                if (held.Holders == 0)
                {
                    _held.Remove(scope);
                }
            }
            foreach (var scope in _scopes)
            {
                _outbox.Writer.TryWrite(ResyncOf(scope));
            }
            TwinTelemetry.Resyncs.Add(_scopes.Count);
        }
    }

    private static Outgoing ResyncOf(string scope) =>
        new(new SerializedHubMessage(new InvocationMessage(HubMethods.Resync, [new ResyncFrame(scope, "The client fell behind the live feed.")])), null, null, null, scope);

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
            // The wait takes no token: with one the channel allocates a waiter each time the outbox runs empty, about
            // ten times a second for every screen. Close completes the outbox, which ends the wait, and cancels the writes.
            var reader = _outbox.Reader;
            while (_closeReason is null && await reader.WaitToReadAsync())
            {
                while (_closeReason is null && reader.TryRead(out var item))
                {
                    await SendOneAsync(item);
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
            // A connection nothing is written to any more must not look alive: the client reconnects and subscribes again.
            _connection.Abort();
        }
    }

    private async Task SendOneAsync(Outgoing item)
    {
        if (item.Parts is null && HasLeft(item.Scope))
        {
            // Queued before the client left the scope: a screen that moved on does not read through it first.
            return;
        }
        _closed.Token.ThrowIfCancellationRequested();
        if (item.Message is { } message)
        {
            await WriteAsync(message);
        }
        else if (item.Frames is { } frames)
        {
            foreach (var frame in frames)
            {
                if (_closeReason is not null)
                {
                    // Closed as stalled: the close message goes next, not behind more frames on a full pipe.
                    return;
                }
                await WriteAsync(frame);
            }
        }
        else
        {
            try
            {
                await WritePartsAsync(item.Parts!);
            }
            finally
            {
                PartsWritten(item.Parts!, item.Held!);
            }
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
            if (_closeReason is not null || Volatile.Read(ref _drops) != drops || HasLeft(parts.Scope))
            {
                return;
            }
            await WriteAsync(new InvocationMessage(HubMethods.SnapshotPart, [frame]));
        }
    }

    /// <summary>Whether the client left the scope of a queued frame (and has not joined it again).</summary>
    private bool HasLeft(string scope)
    {
        lock (_writeGate)
        {
            return !_scopes.Contains(scope);
        }
    }

    /// <summary>
    /// A write, timed so that a client not taking it is found stalled. One that completes at once (the pipe has room)
    /// allocates nothing: every screen takes about ten frames a second.
    /// </summary>
    private async ValueTask WriteAsync(SerializedHubMessage message)
    {
        Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
        await _connection.WriteAsync(message, _closed.Token);
        Volatile.Write(ref _writeStartedAt, 0);
    }

    /// <summary>As the other, written straight into the connection's pipe without a serialized copy: a snapshot's part may be large.</summary>
    private async ValueTask WriteAsync(HubMessage message)
    {
        Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
        await _connection.WriteAsync(message, _closed.Token);
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

    /// <summary>
    /// A frame to write; or a snapshot's parts and the hold of its scope's frames behind them; or the frames a scope held,
    /// written in order. <see cref="Scope"/>: the scope they belong to, whose frames are not written once the client left it.
    /// </summary>
    private readonly record struct Outgoing(SerializedHubMessage? Message, SnapshotParts? Parts, HeldFrames? Held, List<SerializedHubMessage>? Frames, string Scope);
}
