using System.Net;
using System.Net.Sockets;
using IocTwin.Api.Access;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// Which notification endpoints a caller may name, so no caller makes the twin call what it should not reach: hosts
/// listed in <see cref="NotificationOptions.AllowedEndpoints"/> for every role that subscribes; any other public
/// http(s) host for the ioc role only (<see cref="NotificationOptions.AnyEndpointForIoc"/>); loopback, link-local,
/// private (RFC 1918, 100.64/10, fc00::/7, fec0::/10) and cloud metadata addresses never unless listed, also when
/// wrapped in IPv6 (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) — checked on the name when the subscription is
/// written and on the addresses it resolves to when each notification connects. Notifications go direct (no proxy), so
/// the connect check always sees the target.
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
        return IsInternalName(endpoint.IdnHost) ? $"'{endpoint.Authority}' is a loopback, link-local, private or metadata address; list it in NgsiLd:Notifications:AllowedEndpoints to allow it." : null;
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

    /// <summary>
    /// Loopback, unspecified, link-local (169.254/16 and fe80::/10, where cloud metadata services answer), private
    /// (10/8, 172.16/12, 192.168/16, 100.64/10 shared, fc00::/7 unique local, fec0::/10 site-local) and the known
    /// metadata addresses; an IPv4 address inside IPv6 (mapped, NAT64, 6to4) is checked as the IPv4 address it carries.
    /// </summary>
    public static bool IsInternal(IPAddress address)
    {
        if (EmbeddedIPv4(address) is { } inner)
        {
            address = inner;
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal
            || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
        {
            return true;
        }
        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? bytes[0] == 10 || bytes[0] == 0 || (bytes[0] == 169 && bytes[1] == 254) || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16)
              || (bytes[0] == 192 && bytes[1] == 168) || (bytes[0] == 100 && (bytes[1] & 0xC0) == 64)
            : address.ToString() == "fd00:ec2::254";
    }

    /// <summary>The IPv4 address an IPv6 address carries: IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16).</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return bytes[0] == 0x20 && bytes[1] == 0x02 ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }
}
