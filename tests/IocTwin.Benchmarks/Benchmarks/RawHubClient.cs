using System.Net.WebSockets;
using System.Text;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// A SignalR client over a bare WebSocket (JSON protocol) that reads every message into one reused buffer and parses
/// none of it: what the benchmark process allocates during its calls is then the twin's own allocation (and the
/// feed's, if one runs), not the parse of a 20-megabyte snapshot.
/// </summary>
public sealed class RawHubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    /// <summary>A completion names its type among its first properties, before its result.</summary>
    private static readonly byte[] CompletionType = "\"type\":3"u8.ToArray();
    /// <summary>A snapshot's part names its target among its first properties.</summary>
    private static readonly byte[] PartTarget = "\"target\":\"snapshot-part\""u8.ToArray();
    /// <summary>A resync (the parts still awaited will not come) names its target among its first properties.</summary>
    private static readonly byte[] ResyncTarget = "\"target\":\"resync\""u8.ToArray();
    /// <summary>A snapshot's last property says how many parts follow it.</summary>
    private static readonly byte[] PartsProperty = "\"parts\":"u8.ToArray();

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly byte[] _messageStart = new byte[64];
    private readonly byte[] _messageEnd = new byte[32];
    private int _startLength;
    private long _messageLength;
    private int _partsSeen;
    private int _partsAnnounced;
    private bool _completed;
    private bool _resynced;
    private int _position;
    private int _count;
    private int _invocations;

    public static async Task<RawHubClient> ConnectAsync(Uri address, string token)
    {
        var client = new RawHubClient();
        var ws = new UriBuilder(new Uri(address, "/hubs/twin")) { Scheme = address.Scheme == "https" ? "wss" : "ws", Query = $"access_token={Uri.EscapeDataString(token)}" };
        await client._socket.ConnectAsync(ws.Uri, CancellationToken.None);
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}");
        await client.ReadUntilAsync(handshake: true, CancellationToken.None);
        return client;
    }

    /// <summary>Resyncs the hub sent this client (each ends the wait for the parts of the snapshot under way).</summary>
    public int Resyncs { get; private set; }

    /// <summary>
    /// Calls a hub method with one string argument and reads until its completion has arrived, whole, and (a Subscribe
    /// answered in parts) every part its answer announced, or a resync said the rest will not come (false then). Past
    /// <paramref name="timeout"/> it gives up with a <see cref="TimeoutException"/>, the connection lost.
    /// </summary>
    public async Task<bool> InvokeAsync(string method, string argument, TimeSpan timeout)
    {
        var id = ++_invocations;
        (_partsSeen, _partsAnnounced, _completed, _resynced) = (0, 0, false, false);
        using var giveUp = new CancellationTokenSource(timeout);
        try
        {
            await SendAsync($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"{method}\",\"arguments\":[\"{argument}\"]}}");
            // Parts may come ahead of the completion.
            while (!_completed || (_partsSeen < _partsAnnounced && !_resynced))
            {
                await ReadUntilAsync(handshake: false, giveUp.Token);
            }
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{method}('{argument}') not whole after {timeout.TotalSeconds:N0} s: {(_completed ? $"{_partsSeen} of {_partsAnnounced} parts" : "no answer")}");
        }
        return !_resynced;
    }

    private Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message + (char)RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>
    /// Reads messages until the handshake answer, or a completion (one call is out at a time), or a snapshot's part, or
    /// a resync has ended; what follows it in the buffer is kept for the next read.
    /// </summary>
    private async Task ReadUntilAsync(bool handshake, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_position == _count)
            {
                var received = await _socket.ReceiveAsync(_buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"The hub closed the connection: {received.CloseStatusDescription}");
                }
                (_position, _count) = (0, received.Count);
            }
            while (_position < _count)
            {
                var b = _buffer[_position++];
                if (b == RecordSeparator)
                {
                    var start = _messageStart.AsSpan(0, _startLength);
                    var completion = start.IndexOf(CompletionType) >= 0;
                    var part = start.IndexOf(PartTarget) >= 0;
                    if (completion)
                    {
                        (_partsAnnounced, _completed) = (AnnouncedParts(), true);
                    }
                    _partsSeen += part ? 1 : 0;
                    var resync = start.IndexOf(ResyncTarget) >= 0;
                    _resynced |= resync;
                    Resyncs += resync ? 1 : 0;
                    (_startLength, _messageLength) = (0, 0);
                    if (handshake || completion || part || resync)
                    {
                        return;
                    }
                    continue;
                }
                if (_startLength < _messageStart.Length)
                {
                    _messageStart[_startLength++] = b;
                }
                _messageEnd[_messageLength++ % _messageEnd.Length] = b;
            }
        }
    }

    /// <summary>The "parts" a completion's snapshot ends with (0 when it has none), from the message's last bytes.</summary>
    private int AnnouncedParts()
    {
        var tailLength = (int)Math.Min(_messageLength, _messageEnd.Length);
        var tail = new byte[tailLength];
        for (var i = 0; i < tailLength; i++)
        {
            tail[i] = _messageEnd[(_messageLength - tailLength + i) % _messageEnd.Length];
        }
        var at = tail.AsSpan().LastIndexOf(PartsProperty);
        if (at < 0)
        {
            return 0;
        }
        var digits = tail.AsSpan(at + PartsProperty.Length);
        var parts = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                break;
            }
            parts = parts * 10 + digit - '0';
        }
        return parts;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        _socket.Dispose();
    }
}
