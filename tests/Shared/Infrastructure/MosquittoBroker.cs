using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// Debian's mosquitto broker run as a process of the test on a free loopback port: TLS only (a CA and a server
/// certificate made here), no anonymous clients, a password file and an ACL. Killed on dispose.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    /// <summary>The twin's user: may read readings, nothing else.</summary>
    public const string TwinUser = "ioctwin";
    public const string TwinPassword = "twin-secret-7f3a";

    /// <summary>A sensor gateway: may publish readings.</summary>
    public const string GatewayUser = "gateway";
    public const string GatewayPassword = "gateway-secret-91bc";

    /// <summary>A known user the ACL gives nothing.</summary>
    public const string IntruderUser = "intruder";
    public const string IntruderPassword = "intruder-secret-5d20";

    /// <summary>The name on the broker's certificate (it has no IP address in it).</summary>
    public const string ServerName = "mqtt.ioctwin.test";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly ECDsa _caKey;

    private MosquittoBroker(bool requireClientCertificate)
    {
        Directory.CreateDirectory(Folder);
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Ca = CreateCa(_caKey);
        CaFile = WritePem("ca.pem", Ca.ExportCertificatePem());
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = Issue(serverKey, ServerName, serverAuth: true);
        WritePem("server.pem", server.ExportCertificatePem());
        WritePem("server.key", serverKey.ExportPkcs8PrivateKeyPem());

        var passwords = Path.Combine(Folder, "passwd");
        File.WriteAllText(passwords, "");
        foreach (var (user, password) in new[] { (TwinUser, TwinPassword), (GatewayUser, GatewayPassword), (IntruderUser, IntruderPassword) })
        {
            Run(Executable("mosquitto_passwd"), "-b", passwords, user, password);
        }
        File.WriteAllText(Path.Combine(Folder, "acl"), $"""
            user {TwinUser}
            topic read ioctwin/readings/#
            topic read ioctwin/assets/#

            user {GatewayUser}
            topic write ioctwin/readings/#
            topic write ioctwin/assets/#
            """);
        var config = Path.Combine(Folder, "mosquitto.conf");
        File.WriteAllText(config, $"""
            # Started as root (CI), mosquitto would switch to user mosquitto, who cannot read these files.
            user root
            persistence false
            allow_anonymous false
            password_file {passwords}
            acl_file {Path.Combine(Folder, "acl")}
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            listener {Port} 127.0.0.1
            cafile {CaFile}
            certfile {Path.Combine(Folder, "server.pem")}
            keyfile {Path.Combine(Folder, "server.key")}
            require_certificate {(requireClientCertificate ? "true" : "false")}
            """);

        _process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable("mosquitto"))
            {
                ArgumentList = { "-c", config },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ioctwin-mosquitto", Guid.NewGuid().ToString("N"));

    public int Port { get; } = TestPorts.Free();

    public X509Certificate2 Ca { get; }

    /// <summary>The CA in PEM, as an operator would give it in Mqtt:CaFile.</summary>
    public string CaFile { get; }

    /// <summary>What the broker has logged so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a broker; fails, never skips, when mosquitto is not installed.</summary>
    public static MosquittoBroker Start(bool requireClientCertificate = false) => new(requireClientCertificate);

    /// <summary>A client certificate from the broker's CA, written as PEM certificate and key and as PKCS#12.</summary>
    public ClientCertificateFiles IssueClientCertificate(string name, string pfxPassword)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Issue(key, name, serverAuth: false);
        using var withKey = certificate.CopyWithPrivateKey(key);
        var pfx = Path.Combine(Folder, name + ".pfx");
        File.WriteAllBytes(pfx, withKey.Export(X509ContentType.Pkcs12, pfxPassword));
        return new ClientCertificateFiles(
            WritePem(name + ".pem", certificate.ExportCertificatePem()),
            WritePem(name + ".key", key.ExportPkcs8PrivateKeyPem()),
            pfx);
    }

    private static X509Certificate2 CreateCa(ECDsa key)
    {
        var request = new CertificateRequest("CN=IocTwin Test Broker CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    private X509Certificate2 Issue(ECDsa key, string name, bool serverAuth)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(name);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return request.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
    }

    private string WritePem(string name, string pem)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, pem);
        return path;
    }

    /// <summary>mosquitto lives in /usr/sbin, which a non-root PATH may lack.</summary>
    private static string Executable(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin"]);
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"{name} is not installed: the MQTT broker tests need Debian's mosquitto (apt-get install -y mosquitto; .ci/run installs it).");
    }

    private static void Run(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed ({process.ExitCode}): {error}");
        }
    }

    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited ({_process.ExitCode}): {Output}");
            }
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        Ca.Dispose();
        _caKey.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleaning.
        }
    }
}

public sealed record ClientCertificateFiles(string CertificateFile, string KeyFile, string PfxFile);
