using System.Net;
using System.Net.Sockets;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// A loopback TCP relay in front of the twin that can stop taking the server's bytes for a while, with small socket
/// buffers, as a screen on a stalled link: what the server sends backs up into it within a few kilobytes, rather than
/// filling the megabytes a loopback socket buffers on its own.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    private const int BufferBytes = 16 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private long _pausedUntil;

    public StallingProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The target's address with this relay's port.</summary>
    public Uri Rewrite(Uri url) => new UriBuilder(url) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>Takes nothing from the server for this long.</summary>
    public void Pause(TimeSpan duration) => Interlocked.Exchange(ref _pausedUntil, (DateTime.UtcNow + duration).Ticks);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = BufferBytes };
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                client.SendBufferSize = BufferBytes;
                lock (_sockets)
                {
                    _sockets.AddRange([client, server]);
                }
                _ = PumpAsync(client, server, pausable: false);
                _ = PumpAsync(server, client, pausable: true);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool pausable)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            while (true)
            {
                while (pausable && DateTime.UtcNow.Ticks < Interlocked.Read(ref _pausedUntil))
                {
                    await Task.Delay(50, _stop.Token);
                }
                var read = await from.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }
                await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
        await _accepting;
        _stop.Dispose();
    }
}
