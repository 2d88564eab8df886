using IocTwin.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace IocTwin.Api.Streaming;

public enum RefusalReason
{
    /// <summary>Not a scope, or an id that is not one.</summary>
    Invalid,
    /// <summary>The caller's token does not cover it.</summary>
    Forbidden,
    /// <summary>Nothing of that id exists.</summary>
    Unknown,
    /// <summary>Over a per-connection limit.</summary>
    Limit,
}

/// <summary>A hub call refused for a reason the caller can act on; its message goes to the caller as it is.</summary>
public sealed class SubscriptionRefused(RefusalReason reason, string message) : HubException(message)
{
    public RefusalReason Reason { get; } = reason;
}

/// <summary>
/// Keeps the hub's log for operators: a refused call is a warning of one line, counted by reason in
/// <c>ioctwin.push.refused</c> (a client probing scopes must not fill the error log with stack traces); any other
/// failure is logged here once, at error with its stack trace, and reaches the caller as a generic error. SignalR's own
/// dispatcher log, which would log every failed call at error again, is turned down in <see cref="Extensions.StreamingExtensions"/>.
/// </summary>
public sealed class HubRefusals(ILogger<HubRefusals> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (SubscriptionRefused refused)
        {
            TwinTelemetry.RefusedSubscriptions.Add(1, new KeyValuePair<string, object?>("reason", refused.Reason.ToString().ToLowerInvariant()));
            logger.LogWarning("Refused {Method} for {User} on connection {Connection}: {Reason}",
                context.HubMethodName, context.Context.UserIdentifier ?? context.Context.User?.Identity?.Name, context.Context.ConnectionId, refused.Message);
            throw;
        }
        catch (Exception ex) when (ex is HubException or OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Hub call {Method} failed on connection {Connection}", context.HubMethodName, context.Context.ConnectionId);
            throw new HubException($"The server could not complete '{context.HubMethodName}'.");
        }
    }
}
