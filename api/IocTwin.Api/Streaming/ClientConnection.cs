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
/// closed with a reason it can show, sent behind what it has not read yet.
/// </summary>
internal sealed class ClientConnection
{
    public const string StallReason = "The screen stopped reading the live feed for more than {0:N0} s; reconnect and subscribe again.";

    private readonly HubConnectionContext _connection;
    private readonly Channel<SerializedHubMessage> _outbox;
    private readonly Lock _writeGate = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly StreamingOptions _options;
    private readonly ILogger _logger;
    private long _writeStartedAt;
    private string? _closeReason;

    public ClientConnection(HubConnectionContext connection, StreamingOptions options, int minimumCapacity, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _logger = logger;
        _outbox = Channel.CreateBounded<SerializedHubMessage>(new BoundedChannelOptions(Math.Max(minimumCapacity, options.OutboxCapacity))
        {
            // The sender reads; an overflowing writer also drains.
            SingleReader = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ = Task.Run(SendAsync);
    }

    /// <summary>Scope keys this client subscribed to; guarded by the dispatcher's lock.</summary>
    public HashSet<string> Scopes { get; } = [];

    public void Send(SerializedHubMessage message)
    {
        lock (_writeGate)
        {
            if (_closeReason is not null || _outbox.Writer.TryWrite(message))
            {
                return;
            }
            // Fallen behind: what is queued is stale anyway. Drop it and tell the client to take a new snapshot.
            while (_outbox.Reader.TryRead(out _))
            {
            }
            foreach (var scope in Scopes)
            {
                _outbox.Writer.TryWrite(new SerializedHubMessage(
                    new InvocationMessage(HubMethods.Resync, [new ResyncFrame(scope, "The client fell behind the live feed.")])));
            }
            TwinTelemetry.Resyncs.Add(Scopes.Count);
        }
    }

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
            await foreach (var message in _outbox.Reader.ReadAllAsync(_closed.Token))
            {
                Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
                await _connection.WriteAsync(message, _closed.Token);
                Volatile.Write(ref _writeStartedAt, 0);
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
}
