using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.NgsiLd;

public enum LdContextOrigin
{
    /// <summary>Ships inside the product.</summary>
    Shipped,
    /// <summary>From the folder named in settings.</summary>
    Provisioned,
    /// <summary>Fetched at run time from an allowed host.</summary>
    Fetched,
}

public sealed record StoredLdContext(string Url, string LocalId, LdContextOrigin Origin, string Document, JsonObject Definitions, DateTimeOffset StoredAt);

/// <summary>
/// The @context documents the twin knows, by the URL each stands for. Nothing is fetched over the network unless the
/// URL's host is listed in <see cref="NgsiLdOptions.FetchContextHosts"/>: a URL neither shipped, provisioned nor
/// cached is refused, so a request never hangs on (or leaks to) a host the city network should not reach.
/// </summary>
public sealed class LdContextStore
{
    /// <summary>
    /// The NGSI-LD core context, ETSI GS CIM 009 v1.8: the terms of that version, and every term of v1.4 (shipped
    /// beside it as published), since a v1.8 client may use any of them.
    /// </summary>
    public const string CoreUrl = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";

    /// <summary>The unversioned URL is the specification's first core context (v1.0).</summary>
    private static readonly string[] EarlierCoreVersions = ["", "-v1.3", "-v1.4"];

    /// <summary>The combined Smart Data Models context; the twin ships the terms of the models it exposes.</summary>
    public const string SmartDataModelsUrl = "https://smartdatamodels.org/context.jsonld";

    private const int MaxNesting = 4;

    private readonly ConcurrentDictionary<string, StoredLdContext> _byUrl = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<StoredLdContext?>> _fetching = new(StringComparer.Ordinal);
    private readonly NgsiLdOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;

    public LdContextStore(IOptions<NgsiLdOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<LdContextStore> logger)
    {
        _options = options.Value;
        _http = http;
        _time = time;
        var core = AddShipped(CoreUrl, "ngsi-ld-core-context-v1.8");
        // Earlier versions of the core context, as the specification published them, for clients that still name them.
        foreach (var version in EarlierCoreVersions)
        {
            AddShipped(CoreUrl.Replace("-v1.8", version), "ngsi-ld-core-context" + version);
        }
        AddShipped(SmartDataModelsUrl, "smartdatamodels-context");
        if (!string.IsNullOrWhiteSpace(_options.ContextFolder))
        {
            foreach (var problem in LoadFolder(_options.ContextFolder))
            {
                logger.LogWarning("NGSI-LD context folder: {Problem}", problem);
            }
        }
        Core = Parse(core.Definitions, CoreUrl);
    }

    /// <summary>The core context alone: what applies when a request names none.</summary>
    public LdContext Core { get; }

    public IEnumerable<StoredLdContext> All => _byUrl.Values.DistinctBy(c => c.LocalId).OrderBy(c => c.Url, StringComparer.Ordinal);

    public StoredLdContext? ByLocalId(string localId) =>
        _byUrl.Values.FirstOrDefault(c => c.LocalId == localId) ?? (_byUrl.TryGetValue(localId, out var byUrl) ? byUrl : null);

    /// <summary>
    /// The active context for a request's @context value (a URL, an inline object, or an array of them), with the core
    /// context applied last as the specification requires. Throws <see cref="LdContextUnavailableException"/> for a URL
    /// the twin does not hold and may not fetch, and <see cref="NgsiLdRequestException"/> for a malformed value.
    /// </summary>
    public async Task<LdContext> ResolveAsync(JsonNode? context, CancellationToken cancellationToken)
    {
        var parts = new List<(string, JsonObject)>();
        await CollectAsync(context, parts, 0, cancellationToken);
        parts.Add((CoreUrl, _byUrl[CoreUrl].Definitions));
        return LdContext.Merge(parts);
    }

    private LdContext Parse(JsonObject definitions, string source) => LdContext.Merge([(source, definitions)]);

    private async Task CollectAsync(JsonNode? context, List<(string, JsonObject)> parts, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxNesting)
        {
            throw new NgsiLdRequestException("@context nests other contexts too deeply.");
        }
        switch (context)
        {
            case null:
                return;
            case JsonArray array:
                foreach (var item in array)
                {
                    await CollectAsync(item, parts, depth + 1, cancellationToken);
                }
                return;
            case JsonObject inline:
                parts.Add(("(inline)", inline));
                return;
            case JsonValue value when value.TryGetValue<string>(out var url):
                var stored = await GetAsync(url, cancellationToken);
                if (stored.Definitions["@context"] is { } nested)
                {
                    // A context document whose @context lists other contexts.
                    await CollectAsync(nested, parts, depth + 1, cancellationToken);
                }
                parts.Add((url, stored.Definitions));
                return;
            default:
                throw new NgsiLdRequestException("@context must be a URL, an object or an array of them.");
        }
    }

    public async Task<StoredLdContext> GetAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new NgsiLdRequestException($"@context '{url}' is not an http(s) URL.");
        }
        if (_byUrl.TryGetValue(url, out var known))
        {
            return known;
        }
        if (!_options.FetchContextHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase) || uri.Scheme != "https")
        {
            throw new LdContextUnavailableException(url);
        }
        var fetched = await _fetching.GetOrAdd(url, FetchAsync).WaitAsync(cancellationToken);
        _fetching.TryRemove(url, out _);
        return fetched ?? throw new LdContextUnavailableException(url);
    }

    private async Task<StoredLdContext?> FetchAsync(string url)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.FetchTimeout);
            using var client = _http.CreateClient(nameof(LdContextStore));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/ld+json, application/json;q=0.9");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > _options.MaxContextBytes)
            {
                return null;
            }
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return text.Length > _options.MaxContextBytes ? null : Add(url, LocalIdFor(url), LdContextOrigin.Fetched, text);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or InvalidDataException)
        {
            return null;
        }
    }

    private StoredLdContext AddShipped(string url, string name)
    {
        var assembly = typeof(LdContextStore).Assembly;
        using var stream = assembly.GetManifestResourceStream($"IocTwin.Api.NgsiLd.Contexts.{name}.jsonld")
            ?? throw new InvalidOperationException($"The shipped @context {name} is missing.");
        using var reader = new StreamReader(stream);
        return Add(url, name, LdContextOrigin.Shipped, reader.ReadToEnd());
    }

    private IEnumerable<string> LoadFolder(string folder)
    {
        var index = Path.Combine(folder, "index.json");
        if (!File.Exists(index))
        {
            yield return $"{index} is missing; no context is provisioned.";
            yield break;
        }
        var map = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(index)) ?? [];
        foreach (var (url, file) in map)
        {
            var path = Path.GetFullPath(Path.Combine(folder, file));
            if (!path.StartsWith(Path.GetFullPath(folder), StringComparison.Ordinal) || !File.Exists(path))
            {
                yield return $"{file} (for {url}) is not a file of the folder.";
                continue;
            }
            string? problem = null;
            try
            {
                Add(url, LocalIdFor(url), LdContextOrigin.Provisioned, File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is JsonException or InvalidDataException)
            {
                problem = $"{file} (for {url}) is not a JSON-LD context: {ex.Message}";
            }
            if (problem is not null)
            {
                yield return problem;
            }
        }
    }

    private StoredLdContext Add(string url, string localId, LdContextOrigin origin, string document)
    {
        var root = JsonNode.Parse(document) as JsonObject ?? throw new InvalidDataException("not a JSON object");
        var definitions = root["@context"] switch
        {
            JsonObject obj => obj,
            // A document whose @context is a list: keep the list, resolved when used.
            JsonArray list => new JsonObject { ["@context"] = list.DeepClone() },
            _ => throw new InvalidDataException("no @context member"),
        };
        var stored = new StoredLdContext(url, localId, origin, document, definitions, _time.GetUtcNow());
        _byUrl[url] = stored;
        return stored;
    }

    /// <summary>A stable local id for a URL: its last path segment without extension, and a short hash for uniqueness.</summary>
    private static string LocalIdFor(string url)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(url)))[..8];
        var name = Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath.TrimEnd('/'));
        var safe = new string([.. name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);
        return (safe.Length > 0 ? safe + "-" : "") + hash;
    }
}

public sealed class LdContextUnavailableException(string url)
    : Exception($"The @context '{url}' is neither shipped nor provisioned, and the twin does not fetch it.")
{
    public string Url { get; } = url;
}
