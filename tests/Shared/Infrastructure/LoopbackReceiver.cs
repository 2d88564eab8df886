using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace IocTwin.Tests.Infrastructure;

/// <summary>A request as <see cref="LoopbackReceiver"/> got it; <see cref="ArrivedAt"/> is a Stopwatch timestamp.</summary>
public sealed record LoopbackRequest(string? ContentType, IReadOnlyDictionary<string, string> Headers, JsonObject Body, long ArrivedAt);

/// <summary>
/// An HTTP receiver on a free loopback port, as a webhook receiver stands in for a city system: answers 204 to every
/// request and hands each JSON object body to <paramref name="received"/>. Shared by the tests and the benchmarks.
/// </summary>
public sealed class LoopbackReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Action<LoopbackRequest> _received;
    private readonly Task _loop;

    public LoopbackReceiver(Action<LoopbackRequest> received)
    {
        _received = received;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/notify";

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var arrived = Stopwatch.GetTimestamp();
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var text = await reader.ReadToEndAsync();
                var headers = context.Request.Headers.AllKeys.OfType<string>()
                    .ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                if (JsonNode.Parse(text) is JsonObject body)
                {
                    _received(new LoopbackRequest(context.Request.ContentType, headers, body, arrived));
                }
            }
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
