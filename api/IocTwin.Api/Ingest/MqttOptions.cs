namespace IocTwin.Api.Ingest;

/// <summary>The MQTT ingest settings, section <c>Mqtt</c>.</summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    public bool Enabled { get; set; }
    public string Host { get; set; } = "localhost";

    /// <summary>The broker's port; empty for 8883 with <see cref="UseTls"/>, else 1883.</summary>
    public int? Port { get; set; }

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>A file holding the password (a Docker secret), instead of <see cref="Password"/>.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>The topic subscribed to; its last level is the sensor id.</summary>
    public string Topic { get; set; } = "ioctwin/readings/+";

    /// <summary>
    /// The topic asset positions are taken from; the level of its <c>+</c> is the asset id. Empty: no positions over MQTT.
    /// </summary>
    public string AssetTopic { get; set; } = "ioctwin/assets/+/position";

    /// <summary>The client id; empty for one made from the machine name.</summary>
    public string? ClientId { get; set; }

    /// <summary>The longest wait between two attempts to reach the broker.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the broker keeps this client's session — its subscription and the messages not yet acknowledged or
    /// not yet sent — while the client is away. A fixed <see cref="ClientId"/> lets a restarted process resume it.
    /// </summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Connect over TLS, the broker's certificate checked against the system's CAs or <see cref="CaFile"/>.</summary>
    public bool UseTls { get; set; }

    /// <summary>A PEM file of the CA(s) the broker's certificate must chain to (a private CA), instead of the system's.</summary>
    public string? CaFile { get; set; }

    /// <summary>The name the broker's certificate must carry; empty for <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>
    /// The client certificate the broker may require: a PEM certificate with <see cref="ClientKeyFile"/>, or a
    /// PKCS#12 file (.pfx/.p12) holding both when <see cref="ClientKeyFile"/> is empty.
    /// </summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>The password of the PKCS#12 file or of an encrypted PEM key.</summary>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>A file holding <see cref="ClientCertificatePassword"/> (a Docker secret).</summary>
    public string? ClientCertificatePasswordFile { get; set; }

    /// <summary>Accept a broker certificate that chains to no trusted CA. For trials only; refused in Production.</summary>
    public bool AllowUntrustedCertificates { get; set; }

    public int EffectivePort => Port ?? (UseTls ? 8883 : 1883);

    public string? EffectivePassword => ReadSecret(Password, PasswordFile);

    public string? EffectiveClientCertificatePassword => ReadSecret(ClientCertificatePassword, ClientCertificatePasswordFile);

    /// <summary>A secret given inline or in a file; a file's trailing line break is not part of it.</summary>
    private static string? ReadSecret(string? value, string? file) =>
        string.IsNullOrEmpty(file) ? value : File.ReadAllText(file).TrimEnd('\r', '\n');
}
