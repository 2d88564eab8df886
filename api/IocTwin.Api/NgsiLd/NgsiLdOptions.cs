namespace IocTwin.Api.NgsiLd;

/// <summary>Settings of the NGSI-LD interface, section "NgsiLd".</summary>
public sealed class NgsiLdOptions
{
    public const string SectionName = "NgsiLd";

    /// <summary>
    /// A folder of provisioned @context files: its index.json maps each context URL to a file of the folder
    /// ({"https://example.org/ctx.jsonld": "ctx.jsonld"}), so contexts whose home the city network cannot reach are
    /// usable without a fetch.
    /// </summary>
    public string? ContextFolder { get; set; }

    /// <summary>Hosts an unknown https @context URL may be fetched from at run time; none by default (no network fetch).</summary>
    public List<string> FetchContextHosts { get; set; } = [];

    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest @context document fetched or provisioned.</summary>
    public int MaxContextBytes { get; set; } = 1_000_000;

    /// <summary>
    /// The tenant the twin hosts, as NGSILD-Tenant names it; unset: the twin is single-tenant and a request naming any
    /// tenant is refused with NoMultiTenantSupport.
    /// </summary>
    public string? Tenant { get; set; }

    /// <summary>
    /// Context entities the twin holds at most; a write that would create one more is refused with OperationNotSupported
    /// (422), and the entities there are stay writable.
    /// </summary>
    public int MaxContextEntities { get; set; } = 100_000;

    /// <summary>How long an idPattern or ~= pattern may run on one value before the query is refused.</summary>
    public TimeSpan PatternTimeout { get; set; } = TimeSpan.FromMilliseconds(50);
}
