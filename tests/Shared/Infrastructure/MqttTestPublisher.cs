using System.Globalization;
using System.Text;
using IocTwin.Model;
using IocTwin.Tests.Api;
using MQTTnet;
using MQTTnet.Protocol;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// A device publishing readings on <c>ioctwin/readings/{sensorId}</c> (or positions on <c>ioctwin/assets/{assetId}/position</c>),
/// and the twin's view of them.
/// </summary>
public sealed class MqttTestPublisher(HttpClient http) : IAsyncDisposable
{
    private IMqttClient? _client;

    /// <summary>Connects, anew if connected before; fails when the broker does not accept the connection.</summary>
    public async Task Connect(MqttClientOptionsBuilder options)
    {
        await DisposeAsync();
        _client = new MqttClientFactory().CreateMqttClient();
        var result = await _client.ConnectAsync(options.WithClientId("test-publisher-" + Guid.NewGuid().ToString("N")[..8]).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }

    public Task<MqttClientPublishResult> Publish(string sensorId, string payload) => Publish(sensorId, Encoding.UTF8.GetBytes(payload));

    public Task<MqttClientPublishResult> Publish(string sensorId, byte[] payload) => PublishTo($"ioctwin/readings/{sensorId}", payload);

    /// <summary>An asset's position report(s), as its tracker publishes them.</summary>
    public Task<MqttClientPublishResult> PublishPosition(string assetId, string payload) =>
        PublishTo($"ioctwin/assets/{assetId}/position", Encoding.UTF8.GetBytes(payload));

    public Task<MqttClientPublishResult> PublishTo(string topic, byte[] payload) =>
        _client!.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

    public Task<MqttClientPublishResult> PublishNoise(string sensorId, double db) =>
        Publish(sensorId, $$"""{ "timestamp": "{{DateTimeOffset.UtcNow:O}}", "values": { "db": {{db.ToString(CultureInfo.InvariantCulture)}} } }""");

    public Task<SensorView> Sensor(string sensorId) => http.Get<SensorView>($"/api/v1/sensors/{sensorId}");

    /// <summary>
    /// Publishes a noise level until the sensor shows it: the service subscribes once it has connected, and until then
    /// a publish reaches nobody.
    /// </summary>
    public async Task<SensorView> PublishUntilSeen(string sensorId, double db)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await PublishNoise(sensorId, db);
            try
            {
                return await Eventually.Until(() => Sensor(sensorId),
                    s => s.LastReading?.Values.GetValueOrDefault("db") == db, TimeSpan.FromSeconds(2), "the reading arrives");
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // Not subscribed yet: publish again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is null)
        {
            return;
        }
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
        _client.Dispose();
        _client = null;
    }
}
