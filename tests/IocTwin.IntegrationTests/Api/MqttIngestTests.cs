using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using IocTwin.Api.Ingest;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Api;

/// <summary>The API taking readings from an MQTT broker running in the test process on a loopback port.</summary>
public sealed class MqttTwinApiFactory : TwinApiFactory
{
    public int BrokerPort { get; } = TestPorts.Free();

    public MqttServer Broker { get; private set; } = null!;

    /// <summary>The ingest path the MQTT service uses, able to fail as storage going down would.</summary>
    public FailingReadingIngest Storage => Services.GetRequiredService<FailingReadingIngest>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<FailingReadingIngest>();
            services.AddSingleton<IReadingIngest>(provider => provider.GetRequiredService<FailingReadingIngest>());
        });
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Mqtt:Enabled"] = "true",
        ["Mqtt:Host"] = "127.0.0.1",
        ["Mqtt:Port"] = BrokerPort.ToString(),
        ["Mqtt:MaxReconnectDelay"] = "00:00:02",
    };

    public override async Task InitializeAsync()
    {
        Broker = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(BrokerPort)
            .WithPersistentSessions()
            .Build());
        await Broker.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Broker is not null)
        {
            await Broker.StopAsync();
            Broker.Dispose();
        }
    }
}

/// <summary>The real ingest path, except that the next few calls fail before anything is stored.</summary>
public sealed class FailingReadingIngest(IngestService ingest) : IReadingIngest
{
    private int _toFail;
    private int _failed;

    public int Failed => Volatile.Read(ref _failed);

    public void FailNext(int count) => Volatile.Write(ref _toFail, count);

    public Task<IngestResult> IngestAsync(IReadOnlyList<ParsedReading> readings, IEnumerable<ReadingRejection> alreadyRejected)
    {
        if (Volatile.Read(ref _toFail) > 0 && Interlocked.Decrement(ref _toFail) >= 0)
        {
            Interlocked.Increment(ref _failed);
            return Task.FromException<IngestResult>(new IOException("The history database is not reachable."));
        }
        return ingest.IngestAsync(readings, alreadyRejected);
    }
}

public sealed class MqttIngestTests(MqttTwinApiFactory api) : IClassFixture<MqttTwinApiFactory>, IAsyncLifetime
{
    private HttpClient Http => api.Http;
    private readonly MqttTestPublisher _publisher = new(api.Http);

    public Task InitializeAsync() => ConnectPublisher();

    private Task ConnectPublisher() => _publisher.Connect(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", api.BrokerPort));

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    private Task Publish(string sensorId, string payload) => _publisher.Publish(sensorId, payload);

    private Task Publish(string sensorId, byte[] payload) => _publisher.Publish(sensorId, payload);

    private Task<SensorView> PublishUntilSeen(string sensorId, double db) => _publisher.PublishUntilSeen(sensorId, db);

    private async Task<SensorView> Sensor(string districtId, SensorKind kind) =>
        (await Http.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors")).First(s => s.Kind == kind);

    [Fact]
    public async Task A_reading_published_on_the_sensors_topic_reaches_the_twin()
    {
        var sensor = await Sensor("hai-chau", SensorKind.Noise);

        var seen = await PublishUntilSeen(sensor.Id, 61.5);

        Assert.Equal(SensorHealth.Online, seen.Health);
        var now = DateTimeOffset.UtcNow;
        await Publish(sensor.Id, $$"""[ { "timestamp": "{{now.AddSeconds(-1):O}}", "values": { "db": 50 } }, { "timestamp": "{{now:O}}", "values": { "db": 52, "peak": 70 } } ]""");
        var after = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}"), s => s.ReadingCount >= seen.ReadingCount + 2);
        Assert.Equal(52, after.LastReading!.Values["db"]);
        Assert.Equal(70, after.LastReading.Values["peak"]);
    }

    [Fact]
    public async Task Malformed_messages_change_nothing_are_counted_and_the_service_keeps_going()
    {
        var sensor = await Sensor("son-tra", SensorKind.Noise);
        await PublishUntilSeen(sensor.Id, 40);
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}");

        using var rejected = new TwinCounter("ioctwin.mqtt.rejected");

        var now = DateTimeOffset.UtcNow;
        await Publish(sensor.Id, "not json at all");
        await Publish(sensor.Id, [0xFF, 0x00, 0x13, 0x37]);
        await Publish(sensor.Id, "42");
        await Publish(sensor.Id, "[]");
        await Publish(sensor.Id, $$"""{ "timestamp": 12345, "values": { "db": 41 } }""");
        await Publish(sensor.Id, $$"""{ "timestamp": "{{now:O}}", "values": { "db": "loud" } }""");
        await Publish(sensor.Id, $$"""{ "timestamp": "{{now:O}}", "values": [ 41 ] }""");
        await Publish(sensor.Id, $$"""{ "timestamp": "{{now:O}}", "values": { "db": NaN } }""");
        await Publish(sensor.Id, $$"""{ "timestamp": "{{now:O}}", "values": { "db": "NaN" } }""");
        await Publish(sensor.Id, $$"""[ { "timestamp": "{{now:O}}", "values": { "db": 41 } }, { "timestamp": "later", "values": { "db": 42 } } ]""");
        await Publish("no-such-sensor", $$"""{ "timestamp": "{{now:O}}", "values": { "db": 41 } }""");
        await Publish("Not A Sensor!", $$"""{ "timestamp": "{{now:O}}", "values": { "db": 41 } }""");
        await Publish(sensor.Id, $$"""{ "timestamp": "{{now:O}}", "values": { "db": 1.7e308 } }""");
        const int malformed = 13;

        // A good message after them still arrives, and is the only change.
        await Publish(sensor.Id, $$"""{ "timestamp": "{{DateTimeOffset.UtcNow:O}}", "values": { "db": 44 } }""");
        var after = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}"), s => s.LastReading?.Values["db"] == 44);
        Assert.Equal(before.ReadingCount + 1, after.ReadingCount);
        Assert.Equal(["db"], after.LastReading!.Values.Keys);
        await Eventually.Until(() => Task.FromResult(rejected.Total), r => r >= malformed);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/sensors/no-such-sensor")).StatusCode);
    }

    [Fact]
    public async Task A_message_that_could_not_be_stored_comes_again_from_the_broker_and_counts_once()
    {
        var sensor = await Sensor("ngu-hanh-son", SensorKind.Noise);
        await PublishUntilSeen(sensor.Id, 30);
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}");

        // Storage fails for this message and again when the broker first sends it back.
        api.Storage.FailNext(2);
        var failedBefore = api.Storage.Failed;
        var at = DateTimeOffset.UtcNow;
        await Publish(sensor.Id, $$"""{ "timestamp": "{{at:O}}", "values": { "db": 33 } }""");

        var after = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}"),
            s => s.LastReading?.Values.GetValueOrDefault("db") == 33, TimeSpan.FromSeconds(30), "the message comes again and is stored");
        Assert.Equal(failedBefore + 2, api.Storage.Failed);
        Assert.Equal(before.ReadingCount + 1, after.ReadingCount);
        var history = await (await Http.GetAsync($"/api/v1/sensors/{sensor.Id}/history?from={Uri.EscapeDataString(at.AddMilliseconds(-1).ToString("O"))}" +
            $"&to={Uri.EscapeDataString(at.AddMilliseconds(1).ToString("O"))}&step=PT1S")).ReadObject();
        var stored = Assert.Single(history["buckets"]!.AsArray())!["values"]!["db"]!;
        Assert.Equal((1, 33.0), ((long)stored["count"]!, (double)stored["avg"]!));
    }

    [Fact]
    public async Task While_the_ingest_budget_is_full_a_message_waits_unacknowledged_and_is_applied_once_there_is_room()
    {
        var sensor = await Sensor("thanh-khe", SensorKind.Noise);
        await PublishUntilSeen(sensor.Id, 35);
        var before = await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}");

        using var refused = new TwinCounter("ioctwin.readings.refused");

        // Other senders hold the whole budget, as a twin applying all it can.
        var admission = api.Services.GetRequiredService<IngestAdmission>();
        using (await admission.EnterAsync(int.MaxValue))
        {
            await Publish(sensor.Id, $$"""{ "timestamp": "{{DateTimeOffset.UtcNow:O}}", "values": { "db": 57 } }""");
            await Eventually.Until(() => Task.FromResult(refused.Total), r => r > 0, TimeSpan.FromSeconds(30), "the message meets the full budget");
            Assert.Equal(before.ReadingCount, (await Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}")).ReadingCount);
        }

        var after = await Eventually.Until(() => Http.Get<SensorView>($"/api/v1/sensors/{sensor.Id}"),
            s => s.LastReading?.Values.GetValueOrDefault("db") == 57, TimeSpan.FromSeconds(30), "the held message is applied");
        Assert.Equal(before.ReadingCount + 1, after.ReadingCount);
    }

    [Fact]
    public async Task After_the_broker_restarts_the_service_reconnects_and_takes_readings_again()
    {
        var sensor = await Sensor("cam-le", SensorKind.Noise);
        await PublishUntilSeen(sensor.Id, 45);

        await api.Broker.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await api.Broker.StartAsync();
        await ConnectPublisher();

        var seen = await PublishUntilSeen(sensor.Id, 47);
        Assert.Equal(47, seen.LastReading!.Values["db"]);
    }
}

/// <summary>What one of the twin's counters adds from its creation on, in this process.</summary>
internal sealed class TwinCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public TwinCounter(string name)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IocTwin.Telemetry.TwinTelemetry.Name && instrument.Name == name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
