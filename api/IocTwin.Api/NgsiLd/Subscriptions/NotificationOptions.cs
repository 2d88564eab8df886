namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>Settings of NGSI-LD subscriptions and their notifications, section "NgsiLd:Notifications".</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "NgsiLd:Notifications";

    /// <summary>
    /// Hosts (name or address, optionally host:port) notification endpoints may name. Empty (the default): the ioc role
    /// may name any public http(s) endpoint (not loopback, link-local, private or metadata), and OCs none. A
    /// listed host is allowed for every role that may subscribe, loopback, link-local and private addresses included.
    /// </summary>
    public List<string> AllowedEndpoints { get; set; } = [];

    /// <summary>Whether the ioc role may name any http(s) endpoint besides the listed ones (not internal addresses); true by default.</summary>
    public bool AnyEndpointForIoc { get; set; } = true;

    /// <summary>Notifications waiting per subscription; past it the oldest is dropped (and counted).</summary>
    public int QueueLength { get; set; } = 1000;

    /// <summary>Bytes (of the rendered entities) waiting per subscription; past it the oldest are dropped (and counted).</summary>
    public long QueueBytes { get; set; } = 1024 * 1024;

    /// <summary>Entities in one notification at most; more waiting go in the next.</summary>
    public int MaxEntitiesPerNotification { get; set; } = 100;

    /// <summary>Tries of one notification before it is dropped (and counted): the first and its retries.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry; each next one waits twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one notification POST may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the notification lease lasts unless renewed; a dead holder's is taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the counters (timesSent, lastSuccess, …) are stored, and subscriptions re-read from the cluster.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Subscriptions the twin holds at most.</summary>
    public int MaxSubscriptions { get; set; } = 1000;

    /// <summary>Subscriptions one owner scope (role and districts/sectors) holds at most; past it a create is 403.</summary>
    public int MaxSubscriptionsPerOwner { get; set; } = 100;

    /// <summary>The shortest timeInterval a periodic subscription may ask for; a shorter one is BadRequestData.</summary>
    public TimeSpan MinTimeInterval { get; set; } = TimeSpan.FromSeconds(10);
}
