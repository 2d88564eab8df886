using System.Buffers;
using System.Text.Json;
using IocTwin.Telemetry;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace IocTwin.Api.Ingest;

public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    public bool Enabled { get; set; }
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 1883;
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>The topic subscribed to; its last level is the sensor id.</summary>
    public string Topic { get; set; } = "ioctwin/readings/+";

    /// <summary>The client id; empty for one made from the machine name.</summary>
    public string? ClientId { get; set; }

    /// <summary>The longest wait between two attempts to reach the broker.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A second live ingest path: readings published to an MQTT broker on <c>ioctwin/readings/{sensorId}</c>, each payload
/// a JSON object <c>{ "timestamp": "...", "values": { ... } }</c> or an array of them. A message is checked whole by the
/// same rules as a JSON batch and then goes through <see cref="IngestService"/>; a malformed one, or one for an
/// unknown sensor, is logged, counted (<c>ioctwin.mqtt.rejected</c>) and changes nothing.
/// </summary>
public sealed class MqttIngestService(
    IngestService ingest, TimeProvider time, IOptions<MqttOptions> options, ILogger<MqttIngestService> logger) : BackgroundService
{
    /// <summary>Payloads larger than this are not readings of one sensor.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    private readonly MqttOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e => HandleAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());

        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task OnDisconnected(MqttClientDisconnectedEventArgs _)
            {
                disconnected.TrySetResult();
                return Task.CompletedTask;
            }
            client.DisconnectedAsync += OnDisconnected;
            try
            {
                var builder = new MqttClientOptionsBuilder()
                    .WithTcpServer(_options.Host, _options.Port)
                    .WithClientId(string.IsNullOrEmpty(_options.ClientId) ? $"ioctwin-api-{Environment.MachineName}-{Environment.ProcessId}" : _options.ClientId)
                    .WithCleanSession();
                if (!string.IsNullOrEmpty(_options.Username))
                {
                    builder = builder.WithCredentials(_options.Username, _options.Password);
                }
                await client.ConnectAsync(builder.Build(), stoppingToken);
                await client.SubscribeAsync(
                    new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_options.Topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                    stoppingToken);
                logger.LogInformation("Taking readings from MQTT {Host}:{Port} on {Topic}", _options.Host, _options.Port, _options.Topic);
                delay = TimeSpan.FromSeconds(1);
                await disconnected.Task.WaitAsync(stoppingToken);
                logger.LogWarning("MQTT broker {Host}:{Port} disconnected; reconnecting", _options.Host, _options.Port);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "MQTT broker {Host}:{Port} not reachable; trying again in {Delay}", _options.Host, _options.Port, delay);
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
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "MQTT disconnect on shutdown failed");
            }
        }
    }

    /// <summary>Checks a message whole and ingests it; never throws, so one bad message cannot stop the client.</summary>
    public async Task HandleAsync(string topic, byte[] payload)
    {
        var sensorId = topic[(topic.LastIndexOf('/') + 1)..];
        var (readings, error) = Parse(sensorId, payload, time.GetUtcNow());
        if (error is not null)
        {
            Reject(topic, error);
            return;
        }
        try
        {
            var result = await ingest.IngestAsync(readings, []);
            if (result.Rejected.Count > 0)
            {
                Reject(topic, $"{result.Rejected[0].Field}: {result.Rejected[0].Error}");
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Readings from MQTT topic {Topic} could not be stored", topic);
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
