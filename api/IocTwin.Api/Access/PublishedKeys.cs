using System.Text;

namespace IocTwin.Api.Access;

/// <summary>
/// Keys that stand in this repository (development settings, docker-compose, README, tests): anyone can mint a token
/// or post readings with them, so outside Development the twin refuses to start with one.
/// </summary>
public static class PublishedKeys
{
    public const int MinSigningKeyBytes = 32;
    public const int MinIngestKeyLength = 24;

    public static readonly IReadOnlyList<string> SigningKeys =
    [
        "development-only-signing-key-change-me-0123456789",
        "change-me-to-a-secret-of-at-least-32-bytes",
        "test-signing-key-0123456789-0123456789-abcdef",
        "cluster-test-signing-key-0123456789-0123456789",
        "benchmark-signing-key-0123456789-0123456789",
        "another-signing-key-0123456789-0123456789-xyz",
    ];

    public static readonly IReadOnlyList<string> IngestKeys =
    [
        "dev-ingest-key",
        "change-me-ingest-key",
        "test-ingest-key",
        "test-ingest-key-and-more",
        "cluster-ingest-key",
        "benchmark-ingest-key",
    ];

    public static bool IsPublished(string key) =>
        SigningKeys.Contains(key) || IngestKeys.Contains(key) || key.Contains("change-me", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with the configured keys, one sentence a problem, naming the setting; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(AuthOptions auth, bool development)
    {
        var problems = new List<string>();
        if (!auth.SelfIssuedTokens && !auth.Oidc.Enabled)
        {
            problems.Add("set Auth:SigningKey (or Auth:SigningKeyFile) for self-issued tokens, or Auth:Oidc:Authority for the city's identity provider");
        }
        if (auth.Oidc.Enabled && string.IsNullOrWhiteSpace(auth.Oidc.Audience))
        {
            problems.Add("Auth:Oidc:Audience must name the audience the identity provider puts in the twin's tokens");
        }
        if (auth.SelfIssuedTokens && Encoding.UTF8.GetByteCount(auth.SigningKey) < MinSigningKeyBytes)
        {
            problems.Add($"Auth:SigningKey must be at least {MinSigningKeyBytes} bytes");
        }
        if (development)
        {
            return problems;
        }
        if (auth.SelfIssuedTokens && IsPublished(auth.SigningKey))
        {
            problems.Add("Auth:SigningKey is a key published in the IocTwin repository; set a secret of your own");
        }
        for (var i = 0; i < auth.IngestApiKeys.Count; i++)
        {
            var key = auth.IngestApiKeys[i];
            if (IsPublished(key))
            {
                problems.Add($"Auth:IngestApiKeys (key {i + 1}) is a key published in the IocTwin repository; set a secret of your own");
            }
            else if (key.Length < MinIngestKeyLength)
            {
                problems.Add($"Auth:IngestApiKeys (key {i + 1}) must be at least {MinIngestKeyLength} characters");
            }
        }
        return problems;
    }

    /// <summary>Stops start-up with every problem named.</summary>
    public static void Check(AuthOptions auth, IHostEnvironment environment)
    {
        var problems = Problems(auth, environment.IsDevelopment());
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"IocTwin cannot start in the {environment.EnvironmentName} environment: {string.Join("; ", problems)} (see README, 'Access').");
        }
    }
}
