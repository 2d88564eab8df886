using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace IocTwin.Api.Access;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HMAC-SHA256 key for self-issued tokens, at least 32 bytes of UTF-8. Empty turns self-issued tokens off.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>A file holding the signing key (a Docker secret such as /run/secrets/ioctwin_signing_key); wins over SigningKey.</summary>
    public string? SigningKeyFile { get; set; }

    public string Issuer { get; set; } = "ioctwin";

    public string Audience { get; set; } = "ioctwin";

    /// <summary>Keys that may post readings, sent in the X-Api-Key header.</summary>
    public List<string> IngestApiKeys { get; set; } = [];

    /// <summary>A file of further ingest keys, one a line.</summary>
    public string? IngestApiKeysFile { get; set; }

    /// <summary>The city's identity provider; off while its Authority is empty.</summary>
    public OidcOptions Oidc { get; set; } = new();

    public bool SelfIssuedTokens => SigningKey.Length > 0;

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey));

    /// <summary>The settings with the keys the files hold read in: what every consumer sees.</summary>
    public static AuthOptions Load(IConfiguration configuration)
    {
        var auth = configuration.GetSection(SectionName).Get<AuthOptions>() ?? new AuthOptions();
        auth.ReadKeyFiles();
        return auth;
    }

    public void ReadKeyFiles()
    {
        if (!string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            SigningKey = ReadSecret(SigningKeyFile, nameof(SigningKeyFile)).Trim();
        }
        if (!string.IsNullOrWhiteSpace(IngestApiKeysFile))
        {
            var keys = ReadSecret(IngestApiKeysFile, nameof(IngestApiKeysFile))
                .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            IngestApiKeys = [.. IngestApiKeys.Concat(keys).Distinct()];
        }
        // Configuration binding leaves blank entries for keys set to "" (an unset environment placeholder).
        IngestApiKeys = [.. IngestApiKeys.Where(k => !string.IsNullOrWhiteSpace(k))];
    }

    private static string ReadSecret(string path, string setting)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Auth:{setting} names '{path}', which cannot be read: {e.Message}", e);
        }
    }
}
