using IocTwin.Api.Ingest;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace IocTwin.Tests.Api;

/// <summary>
/// The API taking readings from its own mosquitto broker over TLS, as a city would run it: the twin's user and
/// password (from a file, as a Docker secret), the broker's private CA, and a client certificate the broker requires.
/// </summary>
public class MosquittoTwinApiFactory : TwinApiFactory
{
    public const string PfxPassword = "pfx-secret";

    public MosquittoBroker Broker { get; private set; } = null!;

    /// <summary>What the MQTT ingest service logs.</summary>
    public LogCapture MqttLog { get; } = new("IocTwin.Api.Ingest.Mqtt");

    /// <summary>The certificate of the devices and of the twin, issued by the broker's CA.</summary>
    public ClientCertificateFiles ClientCertificate { get; private set; } = null!;

    protected virtual bool RequireClientCertificate => true;

    /// <summary>The twin's MQTT settings; a subclass changes one to see it refused.</summary>
    protected virtual IDictionary<string, string?> MqttSettings()
    {
        var passwordFile = Path.Combine(Broker.Folder, "twin-password");
        File.WriteAllText(passwordFile, MosquittoBroker.TwinPassword + "\n");
        return new Dictionary<string, string?>
        {
            ["Mqtt:Enabled"] = "true",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = Broker.Port.ToString(),
            ["Mqtt:MaxReconnectDelay"] = "00:00:02",
            ["Mqtt:Username"] = MosquittoBroker.TwinUser,
            ["Mqtt:PasswordFile"] = passwordFile,
            ["Mqtt:UseTls"] = "true",
            ["Mqtt:CaFile"] = Broker.CaFile,
            ["Mqtt:TlsServerName"] = MosquittoBroker.ServerName,
            ["Mqtt:ClientCertificateFile"] = ClientCertificate.CertificateFile,
            ["Mqtt:ClientKeyFile"] = ClientCertificate.KeyFile,
        };
    }

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings.Concat(MqttSettings()));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(MqttLog));
    }

    /// <summary>A device's connection to the broker: TLS trusting its CA, with the devices' certificate.</summary>
    public MqttClientOptionsBuilder DeviceConnection(string user, string password) =>
        MqttConnection.Build(new MqttOptions
        {
            Host = "127.0.0.1",
            Port = Broker.Port,
            Username = user,
            Password = password,
            UseTls = true,
            CaFile = Broker.CaFile,
            TlsServerName = MosquittoBroker.ServerName,
            ClientCertificateFile = ClientCertificate.PfxFile,
            ClientCertificatePassword = PfxPassword,
        }, "device");

    public override async Task InitializeAsync()
    {
        Broker = MosquittoBroker.Start(RequireClientCertificate);
        ClientCertificate = Broker.IssueClientCertificate("sensor-gateway", PfxPassword);
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Broker?.Dispose();
    }
}

/// <summary>The twin with a password the broker does not accept; all else right, client certificate (PKCS#12) included.</summary>
public sealed class WrongPasswordTwinApiFactory : MosquittoTwinApiFactory
{
    protected override IDictionary<string, string?> MqttSettings() => new Dictionary<string, string?>(base.MqttSettings())
    {
        ["Mqtt:PasswordFile"] = null,
        ["Mqtt:Password"] = "not-the-password",
        ["Mqtt:ClientCertificateFile"] = ClientCertificate.PfxFile,
        ["Mqtt:ClientKeyFile"] = null,
        ["Mqtt:ClientCertificatePassword"] = PfxPassword,
    };
}

/// <summary>The twin over TLS without the broker's private CA: the broker's certificate is not trusted.</summary>
public sealed class UntrustedBrokerTwinApiFactory : MosquittoTwinApiFactory
{
    protected override bool RequireClientCertificate => false;

    protected override IDictionary<string, string?> MqttSettings() => new Dictionary<string, string?>(base.MqttSettings())
    {
        ["Mqtt:CaFile"] = null,
    };
}
