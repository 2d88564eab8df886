using System.Net;
using System.Net.Sockets;
using IocTwin.Api.Access;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// Which notification endpoints a caller may name, so no caller makes the twin call what it should not reach: hosts
/// listed in <see cref="NotificationOptions.AllowedEndpoints"/> for every role that subscribes; any other http(s) host
/// for the ioc role only (<see cref="NotificationOptions.AnyEndpointForIoc"/>); loopback, link-local and cloud
/// metadata addresses never unless listed — checked on the name when the subscription is written and on the addresses
/// it resolves to when each notification connects.
/// </summary>
public sealed class EndpointPolicy(IOptions<NotificationOptions> options)
{
    /// <summary>Why the endpoint is refused, or null when the caller may name it.</summary>
    public string? Refusal(Uri endpoint, TwinAccess access)
    {
        if (IsListed(endpoint))
        {
            return null;
        }
        if (access.Role != TwinRoles.Ioc || !options.Value.AnyEndpointForIoc)
        {
            return $"the host '{endpoint.Authority}' is not in NgsiLd:Notifications:AllowedEndpoints.";
        }
        return IsInternalName(endpoint.IdnHost) ? $"'{endpoint.Authority}' is a loopback, link-local or metadata address; list it in NgsiLd:Notifications:AllowedEndpoints to allow it." : null;
    }

    public bool IsListed(Uri endpoint) =>
        options.Value.AllowedEndpoints.Any(allowed => string.Equals(allowed, endpoint.IdnHost, StringComparison.OrdinalIgnoreCase)
            || string.Equals(allowed, endpoint.Authority, StringComparison.OrdinalIgnoreCase));

    /// <summary>Connects a notification, refusing internal addresses a name resolves to unless the host is listed.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var listed = options.Value.AllowedEndpoints.Any(a => string.Equals(a, host, StringComparison.OrdinalIgnoreCase)
            || string.Equals(a, $"{host}:{context.DnsEndPoint.Port}", StringComparison.OrdinalIgnoreCase));
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = listed ? addresses : addresses.Where(a => !IsInternal(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"The notification endpoint '{host}' resolves to no address the twin may call.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsInternalName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IsInternal(address));

    /// <summary>Loopback, unspecified, link-local (169.254/16 and fe80::/10, where cloud metadata services answer) and the known metadata addresses.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal)
        {
            return true;
        }
        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? (bytes[0] == 169 && bytes[1] == 254) || address.ToString() == "100.100.100.200"
            : address.ToString() == "fd00:ec2::254";
    }
}
