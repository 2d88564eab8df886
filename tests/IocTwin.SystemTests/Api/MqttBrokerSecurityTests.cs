using System.Net;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace IocTwin.Tests.Api;

/// <summary>MQTT ingest through Debian's mosquitto with TLS, passwords and an ACL, as a city would run it.</summary>
public sealed class MqttBrokerSecurityTests(MosquittoTwinApiFactory api) : IClassFixture<MosquittoTwinApiFactory>, IAsyncLifetime
{
    private readonly MqttTestPublisher _gateway = new(api.Http);

    public Task InitializeAsync() => _gateway.Connect(api.DeviceConnection(MosquittoBroker.GatewayUser, MosquittoBroker.GatewayPassword));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<SensorView> NoiseSensor(string districtId) =>
        (await api.Http.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors")).First(s => s.Kind == SensorKind.Noise);

    [Fact]
    public async Task A_reading_published_over_TLS_reaches_the_sensor_when_the_twin_has_its_user_CA_and_client_certificate()
    {
        var sensor = await NoiseSensor("hai-chau");

        var seen = await _gateway.PublishUntilSeen(sensor.Id, 58.5);

        Assert.Equal(SensorHealth.Online, seen.Health);
        Assert.Equal(58.5, seen.LastReading!.Values["db"]);
    }

    [Fact]
    public async Task A_publisher_the_ACL_does_not_allow_on_the_readings_topic_cannot_inject_readings()
    {
        var sensor = await NoiseSensor("son-tra");
        var before = await _gateway.PublishUntilSeen(sensor.Id, 40);
        await using var intruder = new MqttTestPublisher(api.Http);
        await intruder.Connect(api.DeviceConnection(MosquittoBroker.IntruderUser, MosquittoBroker.IntruderPassword));

        var refused = await intruder.PublishNoise(sensor.Id, 99);
        // A gateway's reading after it arrives, and is the only change.
        await _gateway.PublishNoise(sensor.Id, 41);

        var after = await Eventually.Until(() => _gateway.Sensor(sensor.Id), s => s.LastReading?.Values["db"] == 41);
        Assert.Equal(before.ReadingCount + 1, after.ReadingCount);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refused.ReasonCode);
    }
}

/// <summary>Brokers the twin must not take readings from, or cannot log in to: refused, logged, and the twin keeps running.</summary>
public sealed class MqttBrokerRefusalTests(WrongPasswordTwinApiFactory wrongPassword, UntrustedBrokerTwinApiFactory untrusted)
    : IClassFixture<WrongPasswordTwinApiFactory>, IClassFixture<UntrustedBrokerTwinApiFactory>
{
    [Fact]
    public async Task With_a_wrong_password_nothing_is_ingested_the_refusal_is_logged_and_retried_and_the_twin_stays_healthy()
    {
        // mosquitto answers a wrong password with Not authorized (0x87), not Bad user name or password.
        await AssertNothingIngestedWhileRefused(wrongPassword, $"refused the connection as '{MosquittoBroker.TwinUser}': NotAuthorized");
    }

    [Fact]
    public async Task A_broker_certificate_from_a_CA_the_twin_was_not_given_is_refused()
    {
        await AssertNothingIngestedWhileRefused(untrusted, "certificate refused: RemoteCertificateChainErrors");
    }

    /// <summary>
    /// The twin keeps trying (two refusals logged), a gateway publishes meanwhile, and one more refusal later the sensor
    /// still shows nothing of it; the twin answers and reports itself ready all along.
    /// </summary>
    private static async Task AssertNothingIngestedWhileRefused(MosquittoTwinApiFactory api, string refusal)
    {
        int Refusals() => api.MqttLog.Count(LogLevel.Error, refusal);
        await Eventually.Until(() => Task.FromResult(Refusals()), n => n >= 2, TimeSpan.FromSeconds(30), $"the twin logs '{refusal}' and tries again");
        var sensor = (await api.Http.Get<List<SensorView>>("/api/v1/districts/cam-le/sensors")).First(s => s.Kind == SensorKind.Noise);
        await using var gateway = new MqttTestPublisher(api.Http);
        await gateway.Connect(api.DeviceConnection(MosquittoBroker.GatewayUser, MosquittoBroker.GatewayPassword));

        await gateway.PublishNoise(sensor.Id, 77.5);
        var seen = Refusals();
        await Eventually.Until(() => Task.FromResult(Refusals()), n => n > seen, TimeSpan.FromSeconds(30), "one more attempt is refused");

        var after = await gateway.Sensor(sensor.Id);
        Assert.Equal(sensor.ReadingCount, after.ReadingCount);
        Assert.NotEqual(77.5, after.LastReading?.Values.GetValueOrDefault("db"));
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/ready")).StatusCode);
        Assert.DoesNotContain(api.MqttLog.Entries, e => e.Message.Contains("Taking readings from MQTT", StringComparison.Ordinal));
    }
}

/// <summary>Settings that would leave the twin open are refused when it starts.</summary>
public sealed class MqttSettingsTests
{
    private sealed class ProductionTrustingAnyBrokerFactory : MosquittoTwinApiFactory
    {
        protected override IDictionary<string, string?> MqttSettings() => new Dictionary<string, string?>(base.MqttSettings())
        {
            ["Mqtt:AllowUntrustedCertificates"] = "true",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }

    [Fact]
    public async Task Production_refuses_to_start_when_untrusted_broker_certificates_are_allowed()
    {
        await using var api = new ProductionTrustingAnyBrokerFactory();

        var refused = await Assert.ThrowsAnyAsync<Exception>(api.InitializeAsync);

        Assert.Contains("Mqtt:AllowUntrustedCertificates is refused in Production", refused.ToString());
    }
}
