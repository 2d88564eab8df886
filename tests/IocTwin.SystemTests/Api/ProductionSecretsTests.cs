using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>Production refuses to start with a key anyone can read in the repository, or one too short to be a secret.</summary>
public sealed class ProductionSecretsTests
{
    public static TheoryData<string> PublishedSigningKeys => [.. PublishedKeys.SigningKeys];

    public static TheoryData<string> PublishedIngestKeys => [.. PublishedKeys.IngestKeys];

    [Theory]
    [MemberData(nameof(PublishedSigningKeys))]
    public void A_published_signing_key_stops_start_up(string key)
    {
        var error = StartupError(new() { ["Auth:SigningKey"] = key });

        Assert.Contains("Auth:SigningKey is a key published", error);
    }

    [Theory]
    [MemberData(nameof(PublishedIngestKeys))]
    public void A_published_ingest_key_stops_start_up(string key)
    {
        var error = StartupError(new() { ["Auth:IngestApiKeys:1"] = key });

        Assert.Contains("Auth:IngestApiKeys (key 2) is a key published", error);
    }

    [Fact]
    public void The_keys_in_the_development_settings_stop_a_production_start_but_not_a_development_one()
    {
        var file = Path.Combine(TestBuild.RepositoryRoot(), "api", "IocTwin.Api", "appsettings.Development.json");
        var auth = JsonNode.Parse(File.ReadAllText(file))!["Auth"]!;
        var signingKey = (string)auth["SigningKey"]!;
        var ingestKeys = auth["IngestApiKeys"]!.AsArray().Select(k => (string)k!).ToList();

        Assert.Contains("Auth:SigningKey is a key published", StartupError(new() { ["Auth:SigningKey"] = signingKey }));
        Assert.All(ingestKeys, key =>
            Assert.Contains("is a key published", StartupError(new() { ["Auth:IngestApiKeys:0"] = key })));
        Assert.Empty(PublishedKeys.Problems(new AuthOptions { SigningKey = signingKey, IngestApiKeys = ingestKeys }, development: true));
    }

    [Fact]
    public void Keys_too_short_to_be_secrets_stop_start_up()
    {
        Assert.Contains("Auth:SigningKey must be at least 32 bytes",
            StartupError(new() { ["Auth:SigningKey"] = TestSecrets.New()[..31] }));
        Assert.Contains("Auth:IngestApiKeys (key 1) must be at least 24 characters",
            StartupError(new() { ["Auth:IngestApiKeys:0"] = TestSecrets.New()[..23] }));
    }

    [Fact]
    public void Without_a_signing_key_or_an_identity_provider_start_up_stops()
    {
        var error = StartupError(new() { ["Auth:SigningKey"] = null });

        Assert.Contains("Auth:SigningKey", error);
        Assert.Contains("Auth:Oidc:Authority", error);
    }

    [Fact]
    public void An_API_process_given_a_published_key_in_its_environment_exits_naming_the_setting()
    {
        using var api = TwinProcess.Api("api", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{TestPorts.Free()}",
            ["Twin:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "twin.db")}",
            ["Twin:SiloPort"] = TestPorts.Free().ToString(),
            ["Twin:GatewayPort"] = TestPorts.Free().ToString(),
        }, new Dictionary<string, string>
        {
            // As docker-compose passed it before: the standard ASP.NET Core environment variable form.
            ["Auth__SigningKey"] = "change-me-to-a-secret-of-at-least-32-bytes",
            ["Auth__IngestApiKeys__0"] = TestSecrets.New(),
        });

        Assert.True(api.WaitForExit(TimeSpan.FromSeconds(60)), "the API refuses to start");
        Assert.Contains("Auth:SigningKey is a key published", api.Output);
    }

    /// <summary>The error a Production start with these settings over the test defaults ends with (null removes one).</summary>
    private static string StartupError(Dictionary<string, string?> changes)
    {
        using var twin = new KeyedTwin(changes);
        var error = Record.Exception(twin.StartServer);
        Assert.NotNull(error);
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }
        return string.Join(" | ", messages);
    }

    private sealed class KeyedTwin(IReadOnlyDictionary<string, string?> changes) : ProductionTwinHost(seedSampleCity: false)
    {
        protected override IReadOnlyDictionary<string, string?> Changes => changes;
    }
}

/// <summary>Keys read from files, as Docker secrets mount them.</summary>
public sealed class KeyFilesTwin() : ProductionTwinHost(seedSampleCity: false)
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ioctwin-secrets").FullName;

    public string FileSigningKey { get; } = TestSecrets.New();

    public string[] FileIngestKeys { get; } = [TestSecrets.New(), TestSecrets.New()];

    protected override IReadOnlyDictionary<string, string?> Changes
    {
        get
        {
            File.WriteAllText(Path.Combine(_folder, "signing_key"), FileSigningKey + "\n");
            File.WriteAllLines(Path.Combine(_folder, "ingest_keys"), FileIngestKeys);
            return new Dictionary<string, string?>
            {
                ["Auth:SigningKey"] = null,
                ["Auth:IngestApiKeys:0"] = null,
                ["Auth:SigningKeyFile"] = Path.Combine(_folder, "signing_key"),
                ["Auth:IngestApiKeysFile"] = Path.Combine(_folder, "ingest_keys"),
            };
        }
    }
}

public sealed class KeyFilesTests(KeyFilesTwin api) : IClassFixture<KeyFilesTwin>
{
    [Fact]
    public async Task Tokens_signed_with_the_key_file_and_the_ingest_keys_in_the_keys_file_are_accepted()
    {
        var issuer = new TokenIssuer(Microsoft.Extensions.Options.Options.Create(new AuthOptions { SigningKey = api.FileSigningKey }), TimeProvider.System);
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Issue("ops", TwinRoles.Ioc, [], [], TimeSpan.FromHours(1)));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/city")).StatusCode);
        foreach (var key in api.FileIngestKeys)
        {
            using var feeder = api.CreateClient();
            feeder.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, key);
            Assert.Equal(HttpStatusCode.Accepted, (await feeder.PostReadings(Reading("no-such-sensor", DateTimeOffset.UtcNow, new { speed = 1 }))).StatusCode);
        }
        // The key the settings no longer name is no key.
        using var stale = api.CreateClient();
        stale.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, TwinApiFactory.IngestApiKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stale.PostReadings(Reading("no-such-sensor", DateTimeOffset.UtcNow, new { speed = 1 }))).StatusCode);
    }
}
