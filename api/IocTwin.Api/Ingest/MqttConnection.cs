using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;

namespace IocTwin.Api.Ingest;

/// <summary>The MQTT client options of <see cref="MqttOptions"/>: broker, credentials and TLS.</summary>
public static class MqttConnection
{
    /// <summary>
    /// Reads the secrets and certificates afresh, so that a rotated file is taken at the next connection. Throws when
    /// one cannot be read.
    /// </summary>
    public static MqttClientOptionsBuilder Build(MqttOptions options, string clientId, ILogger? logger = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.EffectivePort)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500);
        if (!string.IsNullOrEmpty(options.Username))
        {
            builder = builder.WithCredentials(options.Username, options.EffectivePassword);
        }
        if (options.UseTls)
        {
            builder = builder.WithTlsOptions(Tls(options, logger));
        }
        return builder;
    }

    private static MqttClientTlsOptions Tls(MqttOptions options, ILogger? logger)
    {
        var tls = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(string.IsNullOrEmpty(options.TlsServerName) ? options.Host : options.TlsServerName)
            .WithCertificateValidationHandler(e =>
            {
                // The chain was built against Mqtt:CaFile when set. Only the chain may be waived: a certificate for
                // another name is refused all the same.
                var errors = options.AllowUntrustedCertificates ? e.SslPolicyErrors & ~SslPolicyErrors.RemoteCertificateChainErrors : e.SslPolicyErrors;
                if (errors != SslPolicyErrors.None)
                {
                    logger?.LogError("MQTT broker {Host} certificate refused: {Errors} ({ChainStatus}); check Mqtt:CaFile and Mqtt:TlsServerName",
                        options.Host, errors, string.Join(", ", e.Chain?.ChainStatus.Select(s => s.Status) ?? []));
                }
                return errors == SslPolicyErrors.None;
            });
        if (!string.IsNullOrEmpty(options.CaFile))
        {
            // The broker's chain must end at one of these CAs (and at no CA of the system store).
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(options.CaFile);
            if (authorities.Count == 0)
            {
                throw new InvalidOperationException($"Mqtt:CaFile {options.CaFile} holds no PEM certificate.");
            }
            tls = tls.WithTrustChain(authorities);
        }
        if (!string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            tls = tls.WithClientCertificates([ClientCertificate(options)]);
        }
        return tls.Build();
    }

    private static X509Certificate2 ClientCertificate(MqttOptions options)
    {
        var password = options.EffectiveClientCertificatePassword;
        if (string.IsNullOrEmpty(options.ClientKeyFile))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(options.ClientCertificateFile!, password);
        }
        using var pem = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(options.ClientCertificateFile!, options.ClientKeyFile)
            : X509Certificate2.CreateFromEncryptedPemFile(options.ClientCertificateFile!, password, options.ClientKeyFile);
        // A PEM key is ephemeral; some platforms' TLS takes a client key only from a PKCS#12 import.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Settings that contradict each other, files that cannot be read: a start-up error naming the setting.</summary>
    public sealed class Validator(IHostEnvironment environment) : IValidateOptions<MqttOptions>
    {
        public ValidateOptionsResult Validate(string? name, MqttOptions options)
        {
            if (!options.Enabled)
            {
                return ValidateOptionsResult.Success;
            }
            var errors = new List<string>();
            if (!string.IsNullOrEmpty(options.Password) && !string.IsNullOrEmpty(options.PasswordFile))
            {
                errors.Add("Mqtt:Password and Mqtt:PasswordFile are both set; set one.");
            }
            if (!string.IsNullOrEmpty(options.ClientKeyFile) && string.IsNullOrEmpty(options.ClientCertificateFile))
            {
                errors.Add("Mqtt:ClientKeyFile is set without Mqtt:ClientCertificateFile.");
            }
            if (!options.UseTls && (!string.IsNullOrEmpty(options.CaFile) || !string.IsNullOrEmpty(options.ClientCertificateFile)
                || !string.IsNullOrEmpty(options.TlsServerName) || options.AllowUntrustedCertificates))
            {
                errors.Add("Mqtt: TLS settings (CaFile, ClientCertificateFile, TlsServerName, AllowUntrustedCertificates) need Mqtt:UseTls=true.");
            }
            if (options.AllowUntrustedCertificates && environment.IsProduction())
            {
                errors.Add("Mqtt:AllowUntrustedCertificates is refused in Production: trust the broker's CA with Mqtt:CaFile.");
            }
            if (errors.Count == 0)
            {
                try
                {
                    Build(options, "check");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
                {
                    errors.Add($"Mqtt: a secret or certificate file cannot be read: {ex.Message}");
                }
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
