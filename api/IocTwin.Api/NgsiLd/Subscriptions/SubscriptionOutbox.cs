using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using IocTwin.Model;
using IocTwin.Telemetry;
using Microsoft.Net.Http.Headers;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// An entity waiting to be notified, as the subscription renders it (JSON text, so that the queue's bytes are known and
/// it is written once however often it is sent), and when its change was heard of.
/// </summary>
public sealed record PendingEntity(string EntityId, string EntityJson, DateTimeOffset At)
{
    /// <summary>What the entity weighs in the queue: its UTF-8 bytes.</summary>
    public int Bytes { get; } = Encoding.UTF8.GetByteCount(EntityJson);
}

/// <summary>
/// One subscription's bounded queue and its sender, so that a dead or slow receiver holds up only its own
/// subscription: when the queue holds too many entities or too many bytes the oldest is dropped (and counted). Only the process holding the
/// notification lease sends; the others keep what they observed for the last lease period, so that a new holder sends
/// what its predecessor may not have (at least once). Entities waiting together go in one notification (the latest of
/// each entity), at most one notification per throttling period; a failed POST is tried again after a doubling delay.
/// </summary>
public sealed class SubscriptionOutbox : IAsyncDisposable
{
    /// <summary>How far before the previous holder's mark a new holder sends again: the processes' clocks and hearing differ.</summary>
    public static readonly TimeSpan HandoverMargin = TimeSpan.FromSeconds(1);

    private readonly Channel<PendingEntity> _queue;
    private readonly HttpClient _http;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _countersGate = new();
    private readonly Task _sender;
    private NotificationCounters _unreported = NotificationCounters.None;
    private TaskCompletionSource _sending = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _skipUpTo;
    private DateTimeOffset _lastSent = DateTimeOffset.MinValue;
    private DateTimeOffset? _inFlight;
    private long _queuedBytes;

    public SubscriptionOutbox(ActiveSubscription subscription, HttpClient http, NotificationOptions options, TimeProvider time, ILogger logger)
    {
        Subscription = subscription;
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingEntity>(
            new BoundedChannelOptions(Math.Max(1, options.QueueLength)) { FullMode = BoundedChannelFullMode.DropOldest },
            dropped =>
            {
                Interlocked.Add(ref _queuedBytes, -dropped.Bytes);
                CountDropped();
            });
        _sender = Task.Run(() => SendAsync(_stop.Token));
    }

    /// <summary>The subscription as last read; replaced when it changes.</summary>
    public ActiveSubscription Subscription { get; set; }

    /// <summary>The oldest change not yet taken by a receiver (waiting or being tried), or null when there is none.</summary>
    public DateTimeOffset? OldestUnsent => _inFlight ?? (_queue.Reader.TryPeek(out var oldest) ? oldest.At : null);

    /// <summary>The bytes of the entities waiting (or being taken), at most about <see cref="NotificationOptions.QueueBytes"/>.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public void Enqueue(PendingEntity entity)
    {
        Interlocked.Add(ref _queuedBytes, entity.Bytes);
        if (!_queue.Writer.TryWrite(entity))
        {
            Interlocked.Add(ref _queuedBytes, -entity.Bytes);
            return;
        }
        // Past the byte bound the oldest go first, the new one last should it alone weigh more than the bound.
        while (Interlocked.Read(ref _queuedBytes) > _options.QueueBytes && TryTake(out _))
        {
            CountDropped();
        }
    }

    /// <summary>This process took the lease: send, leaving out what the previous holder reported sent.</summary>
    public void StartSending(DateTimeOffset? previousHolderSentUpTo)
    {
        _skipUpTo = previousHolderSentUpTo - HandoverMargin;
        _sending.TrySetResult();
    }

    /// <summary>Another process holds the lease: keep, not send.</summary>
    public void StopSending()
    {
        if (_sending.Task.IsCompleted)
        {
            _sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>While not sending: forgets what is older than the lease, which the holder has sent or given up on.</summary>
    public void ForgetOlderThan(DateTimeOffset time)
    {
        while (!_sending.Task.IsCompleted && _queue.Reader.TryPeek(out var oldest) && oldest.At < time && TryTake(out _))
        {
        }
    }

    /// <summary>What the notifications did since the last call, to be added to the stored counters.</summary>
    public NotificationCounters TakeCounters()
    {
        lock (_countersGate)
        {
            var taken = _unreported;
            _unreported = NotificationCounters.None;
            return taken;
        }
    }

    /// <summary>The counters not reported yet, to show with the stored ones.</summary>
    public NotificationCounters Unreported
    {
        get
        {
            lock (_countersGate)
            {
                return _unreported;
            }
        }
    }

    private async Task SendAsync(CancellationToken stopping)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping))
            {
                await _sending.Task.WaitAsync(stopping);
                if (Subscription.Definition.Throttling is { } throttling)
                {
                    var next = _lastSent + TimeSpan.FromSeconds(throttling);
                    if (next > _time.GetUtcNow())
                    {
                        await Task.Delay(next - _time.GetUtcNow(), _time, stopping);
                    }
                }
                var batch = TakeBatch();
                if (batch.Count > 0 && Subscription.Definition.StatusAt(_time.GetUtcNow()) == SubscriptionStatus.Active)
                {
                    _inFlight = batch.Min(b => b.At);
                    await DeliverAsync(batch, stopping);
                    _inFlight = null;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The latest of each waiting entity, up to the most one notification carries.</summary>
    private List<PendingEntity> TakeBatch()
    {
        var latest = new Dictionary<string, PendingEntity>(StringComparer.Ordinal);
        while (latest.Count < _options.MaxEntitiesPerNotification && TryTake(out var pending))
        {
            // Strictly before: a new holder's catch-up queues as of the mark it skips up to, and is sent.
            if (_skipUpTo is { } skip && pending.At < skip)
            {
                continue;
            }
            latest[pending.EntityId] = pending;
        }
        return [.. latest.Values];
    }

    private bool TryTake(out PendingEntity pending)
    {
        if (!_queue.Reader.TryRead(out pending!))
        {
            return false;
        }
        Interlocked.Add(ref _queuedBytes, -pending.Bytes);
        return true;
    }

    private void CountDropped() => Count(NotificationCounters.None with { Dropped = 1 }, TwinTelemetry.NgsiNotificationsDropped);

    private async Task DeliverAsync(List<PendingEntity> batch, CancellationToken stopping)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; attempt <= Math.Max(1, _options.MaxAttempts); attempt++)
        {
            var definition = Subscription.Definition;
            var now = _time.GetUtcNow();
            _lastSent = now;
            try
            {
                using var request = Request(batch, now);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                timeout.CancelAfter(_options.Timeout);
                var started = Stopwatch.GetTimestamp();
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Count(new NotificationCounters(1, 0, 0, now, now, null), TwinTelemetry.NgsiNotificationsSent);
                    TwinTelemetry.NgsiNotificationLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return;
                }
                _logger.LogDebug("Notification of {Subscription} answered {Status}", definition.Id, (int)response.StatusCode);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or IOException)
            {
                _logger.LogDebug("Notification of {Subscription} failed: {Error}", definition.Id, ex.Message);
            }
            Count(new NotificationCounters(0, 1, 0, now, null, now), TwinTelemetry.NgsiNotificationsFailed);
            if (attempt < _options.MaxAttempts)
            {
                await Task.Delay(delay, _time, stopping);
                delay = delay * 2 > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay * 2;
            }
        }
        _logger.LogWarning("Gave up notifying {Count} entities to {Endpoint} for {Subscription}", batch.Count,
            Subscription.Definition.Notification.Endpoint, Subscription.Definition.Id);
        Count(NotificationCounters.None with { Dropped = batch.Count }, TwinTelemetry.NgsiNotificationsDropped, batch.Count);
    }

    private HttpRequestMessage Request(List<PendingEntity> batch, DateTimeOffset now)
    {
        var definition = Subscription.Definition;
        // Only a single-URL context fits a Link header; any other goes in the body so names expand as they were compacted.
        var ld = definition.Notification.Accept == NgsiLdJson.LdJson || Subscription.LinkUrl is null;
        var notification = NotificationBody.Write(definition.Id, now, batch.Select(b => b.EntityJson), ld ? Subscription.ContextValue : null);
        var request = new HttpRequestMessage(HttpMethod.Post, definition.Notification.Endpoint)
        {
            Content = new ByteArrayContent(notification) { Headers = { ContentType = new(ld ? NgsiLdJson.LdJson : NgsiLdJson.Json) { CharSet = "utf-8" } } },
        };
        if (!ld)
        {
            request.Headers.TryAddWithoutValidation(HeaderNames.Link, $"<{Subscription.LinkUrl}>; rel=\"{NgsiLdJson.ContextRel}\"; type=\"{NgsiLdJson.LdJson}\"");
        }
        foreach (var (key, value) in definition.Notification.ReceiverInfo)
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }
        return request;
    }

    private void Count(NotificationCounters delta, System.Diagnostics.Metrics.Counter<long> counter, long amount = 1)
    {
        lock (_countersGate)
        {
            _unreported = _unreported.Add(delta);
        }
        counter.Add(amount, new KeyValuePair<string, object?>("subscription", Subscription.Definition.Id));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _sender;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}

/// <summary>The Notification data type (GS CIM 009 5.3.1), written as UTF-8 around entities already rendered as JSON text.</summary>
public static class NotificationBody
{
    public static byte[] Write(string subscriptionId, DateTimeOffset notifiedAt, IEnumerable<string> entitiesJson, JsonNode? context = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = NgsiLdJson.Options.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("id", "urn:ngsi-ld:Notification:" + Guid.NewGuid());
            json.WriteString("type", "Notification");
            json.WriteString("subscriptionId", subscriptionId);
            json.WriteString("notifiedAt", NgsiLdFormat.Time(notifiedAt));
            json.WriteStartArray("data");
            foreach (var entity in entitiesJson)
            {
                json.WriteRawValue(entity, skipInputValidation: true);
            }
            json.WriteEndArray();
            if (context is not null)
            {
                json.WritePropertyName("@context");
                context.WriteTo(json, NgsiLdJson.Options);
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
