using System.Buffers;
using System.Security.Authentication;
using System.Text.Json;
using IocTwin.Telemetry;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace IocTwin.Api.Ingest;

/// <summary>
/// A second live ingest path: readings published to an MQTT broker on <c>ioctwin/readings/{sensorId}</c>, each payload
/// a JSON object <c>{ "timestamp": "...", "values": { ... } }</c> or an array of them, and asset positions on
/// <c>ioctwin/assets/{assetId}/position</c> (<see cref="MqttAssetPositions"/>). A message is checked whole by the
/// same rules as a JSON batch and then goes through <see cref="IReadingIngest"/> (or the asset ingest); a malformed
/// one, or one for an unknown sensor or asset, is logged, counted (<c>ioctwin.mqtt.rejected</c>) and changes nothing. A message is acknowledged
/// to the broker only once it is stored or refused: one whose storage failed stays with the broker, which sends it
/// again when the service reconnects (MQTT 5 session kept across connections).
/// </summary>
public sealed class MqttIngestService(
    IReadingIngest ingest, MqttAssetPositions positions, TimeProvider time, IOptions<MqttOptions> options, ILogger<MqttIngestService> logger)
    : BackgroundService
{
    /// <summary>Payloads larger than this are not readings of one sensor.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    private readonly MqttOptions _options = options.Value;
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        using var client = new MqttClientFactory().CreateMqttClient();
        var storageFailed = NewSignal();
        var delay = TimeSpan.FromSeconds(1);
        WarnOfWeakSettings();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            if (await HandleAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()))
            {
                return;
            }
            // No acknowledgement: the broker keeps the message for this session and sends it again after a
            // reconnect; a broker sends unacknowledged messages again only then.
            e.ProcessingFailed = true;
            storageFailed.TrySetResult();
        };

        while (!stoppingToken.IsCancellationRequested)
        {
            // Storage still down at the last connection: keep the longer wait before the next attempt.
            var backingOff = storageFailed.Task.IsCompleted;
            storageFailed = NewSignal();
            var disconnected = NewSignal();
            Task OnDisconnected(MqttClientDisconnectedEventArgs _)
            {
                disconnected.TrySetResult();
                return Task.CompletedTask;
            }
            client.DisconnectedAsync += OnDisconnected;
            try
            {
                var connection = MqttConnection.Build(_options, ClientId, logger)
                    .WithCleanStart(false)
                    .WithSessionExpiryInterval((uint)Math.Clamp(_options.SessionExpiry.TotalSeconds, 0, uint.MaxValue))
                    .Build();
                var connected = await client.ConnectAsync(connection, stoppingToken);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new MqttRefusedException($"the connection as '{_options.Username}'", connected.ResultCode.ToString(), connected.ReasonString);
                }
                var subscription = new MqttClientSubscribeOptionsBuilder();
                foreach (var topic in Topics)
                {
                    subscription = subscription.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
                }
                var subscribed = await client.SubscribeAsync(subscription.Build(), stoppingToken);
                foreach (var positionsRefused in subscribed.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2 &&
                    i.TopicFilter.Topic == _options.AssetTopic))
                {
                    // Positions are the second use of the broker: readings go on without them.
                    logger.LogError("MQTT broker {Host}:{Port} refused the subscription to {Topic}: {ReasonCode}; no asset positions are taken over MQTT",
                        _options.Host, _options.EffectivePort, positionsRefused.TopicFilter.Topic, positionsRefused.ResultCode);
                }
                if (subscribed.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2 &&
                    i.TopicFilter.Topic == _options.Topic) is { } refused)
                {
                    // Connected but not allowed to read the topic (the broker's ACL): nothing would ever arrive.
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), stoppingToken);
                    throw new MqttRefusedException($"the subscription to {refused.TopicFilter.Topic}", refused.ResultCode.ToString(), subscribed.ReasonString);
                }
                logger.LogInformation("Taking readings from MQTT {Host}:{Port} on {Topics}", _options.Host, _options.EffectivePort,
                    string.Join(", ", Topics));
                if (!backingOff)
                {
                    delay = TimeSpan.FromSeconds(1);
                }
                if (await Task.WhenAny(disconnected.Task, storageFailed.Task).WaitAsync(stoppingToken) == storageFailed.Task)
                {
                    logger.LogWarning("Readings from MQTT could not be stored; reconnecting in {Delay} so that the broker sends them again", delay);
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                        .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), stoppingToken);
                }
                else
                {
                    logger.LogWarning("MQTT broker {Host}:{Port} disconnected; reconnecting", _options.Host, _options.EffectivePort);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectFailure(ex, delay);
            }
            finally
            {
                client.DisconnectedAsync -= OnDisconnected;
            }
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }

        if (client.IsConnected)
        {
            try
            {
                // A process-made client id is never seen again: end its session rather than leave the broker queueing for it.
                var disconnect = new MqttClientDisconnectOptionsBuilder();
                if (string.IsNullOrEmpty(_options.ClientId))
                {
                    disconnect = disconnect.WithSessionExpiryInterval(0);
                }
                await client.DisconnectAsync(disconnect.Build(), CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "MQTT disconnect on shutdown failed");
            }
        }
    }

    private string[] Topics => string.IsNullOrEmpty(_options.AssetTopic) ? [_options.Topic] : [_options.Topic, _options.AssetTopic];

    private string ClientId => string.IsNullOrEmpty(_options.ClientId) ? $"ioctwin-api-{Environment.MachineName}-{Environment.ProcessId}" : _options.ClientId;

    private void WarnOfWeakSettings()
    {
        if (!_options.UseTls && !string.IsNullOrEmpty(_options.Username))
        {
            logger.LogWarning("MQTT credentials go to {Host}:{Port} unencrypted: set Mqtt:UseTls", _options.Host, _options.EffectivePort);
        }
        if (_options.UseTls && _options.AllowUntrustedCertificates)
        {
            logger.LogWarning("Mqtt:AllowUntrustedCertificates is set: any broker certificate for {Host} is accepted, whoever issued it", _options.Host);
        }
    }

    /// <summary>Why the broker could not be used, in the operator's terms; the attempt is retried either way.</summary>
    private void LogConnectFailure(Exception ex, TimeSpan delay)
    {
        switch (ex)
        {
            case MqttRefusedException refused:
                // Settings the broker does not accept (credentials, ACL): an operator has to act, so an error.
                logger.LogError("MQTT broker {Host}:{Port} refused {Refused}: {ReasonCode} {Reason}; check Mqtt:Username, Mqtt:Password and the broker's ACL. Trying again in {Delay}",
                    _options.Host, _options.EffectivePort, refused.Refused, refused.ReasonCode, refused.Reason, delay);
                break;
            case var _ when Find<AuthenticationException>(ex) is { } tls:
                logger.LogError("TLS with MQTT broker {Host}:{Port} failed: {Reason}; check Mqtt:CaFile, Mqtt:TlsServerName and the client certificate. Trying again in {Delay}",
                    _options.Host, _options.EffectivePort, tls.Message, delay);
                break;
            default:
                logger.LogWarning(ex, "MQTT broker {Host}:{Port} not reachable; trying again in {Delay}", _options.Host, _options.EffectivePort, delay);
                break;
        }
    }

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }
        return null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Checks a message whole and ingests it. True when the message is done with — stored, or refused for good; false
    /// when storage failed and the message must come again. Never throws, so one message cannot stop the client.
    /// </summary>
    public Task<bool> HandleAsync(string topic, byte[] payload)
    {
        if (!string.IsNullOrEmpty(_options.AssetTopic) && MqttAssetPositions.AssetIdIn(_options.AssetTopic, topic) is { } assetId)
        {
            return StoreOrKeepAsync(topic, "Asset positions", async () =>
            {
                var (reports, error) = await positions.ParseAsync(assetId, payload);
                if (error is not null)
                {
                    Reject(topic, error);
                    return;
                }
                await PatientlyAsync(() => positions.IngestAsync(reports));
            });
        }
        return StoreOrKeepAsync(topic, "Readings", async () =>
        {
            var sensorId = topic[(topic.LastIndexOf('/') + 1)..];
            var (readings, error) = Parse(sensorId, payload, time.GetUtcNow());
            if (error is not null)
            {
                Reject(topic, error);
                return;
            }
            var result = await IngestPatientlyAsync(readings);
            if (result.Rejected.Count > 0)
            {
                Reject(topic, $"{result.Rejected[0].Field}: {result.Rejected[0].Error}");
            }
        });
    }

    /// <summary>True once the message is stored or refused; false (not acknowledged) when it must come again.</summary>
    private async Task<bool> StoreOrKeepAsync(string topic, string what, Func<Task> store)
    {
        try
        {
            await store();
            return true;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down while the twin was saturated: not acknowledged, so the broker sends it again.
            return false;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "{What} from MQTT topic {Topic} could not be stored; the broker keeps them", what, topic);
            return false;
        }
    }

    /// <summary>
    /// Push-back for MQTT: while the twin's ingest budget stays full the message waits and tries again, and its
    /// acknowledgement waits with it, so the broker holds back further messages (its in-flight window) instead of the
    /// twin acknowledging more than it applies.
    /// </summary>
    private Task<IngestResult> IngestPatientlyAsync(List<ParsedReading> readings) => PatientlyAsync(() => ingest.IngestAsync(readings, []));

    private async Task<T> PatientlyAsync<T>(Func<Task<T>> store)
    {
        while (true)
        {
            try
            {
                return await store();
            }
            catch (IngestSaturatedException saturated)
            {
                await Task.Delay(saturated.RetryAfter, time, _stopping);
            }
        }
    }

    /// <summary>The readings of a payload, or why it is refused (the first bad item; nothing of it is taken).</summary>
    public static (List<ParsedReading> Readings, string? Error) Parse(string sensorId, byte[] payload, DateTimeOffset now)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            return ([], $"payload: larger than {MaxPayloadBytes} bytes");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            return ([], $"payload: malformed JSON: {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            JsonElement[] items = root.ValueKind switch
            {
                JsonValueKind.Object => [root],
                JsonValueKind.Array => [.. root.EnumerateArray()],
                _ => [],
            };
            if (items.Length == 0)
            {
                return ([], "payload: must be a reading { timestamp, values } or a non-empty array of them");
            }
            if (items.Length > ReadingBatchParser.MaxItems)
            {
                return ([], $"payload: at most {ReadingBatchParser.MaxItems} readings");
            }
            var readings = new List<ParsedReading>(items.Length);
            for (var i = 0; i < items.Length; i++)
            {
                if (items[i].ValueKind != JsonValueKind.Object)
                {
                    return ([], $"[{i}]: must be an object {{ timestamp, values }}");
                }
                var error = ReadingBatchParser.Validate(
                    sensorId, ReadingBatchParser.TimestampOf(items[i]), ReadingBatchParser.ValuesOf(items[i]), now, out var reading);
                if (error is { } e)
                {
                    return ([], $"[{i}].{e.Field}: {e.Message}");
                }
                readings.Add(new ParsedReading(i, reading.SensorId, reading.Reading));
            }
            return (readings, null);
        }
    }

    private void Reject(string topic, string error)
    {
        TwinTelemetry.MqttRejected.Add(1);
        logger.LogWarning("MQTT message on {Topic} refused: {Error}", topic, error);
    }
}

/// <summary>The broker answered, and said no: to the connection (credentials) or to the subscription (ACL).</summary>
public sealed class MqttRefusedException(string refused, string reasonCode, string? reason)
    : Exception($"The MQTT broker refused {refused}: {reasonCode} {reason}")
{
    public string Refused { get; } = refused;
    public string ReasonCode { get; } = reasonCode;
    public string? Reason { get; } = reason;
}
