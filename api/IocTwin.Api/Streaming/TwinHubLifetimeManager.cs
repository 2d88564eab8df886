using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace IocTwin.Api.Streaming;

/// <summary>
/// SignalR's default lifetime manager, keeping each connection of this process at hand so that the
/// <see cref="ScopeDispatcher"/> can write one frame, serialized once per protocol, to every subscriber of a scope.
/// </summary>
public sealed class TwinHubLifetimeManager(ILogger<DefaultHubLifetimeManager<TwinHub>> logger) : DefaultHubLifetimeManager<TwinHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }

    /// <summary>The connection with this id, while it is open in this process.</summary>
    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);
}
