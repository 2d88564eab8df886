using System.Text.Json.Nodes;

namespace IocTwin.Api.NgsiLd;

/// <summary>
/// An active JSON-LD context reduced to what NGSI-LD names need: term → IRI definitions, prefixes and @vocab.
/// Expands a short name (type, attribute) to its IRI and compacts an IRI back to the short name the caller's context
/// gives it, so the same type written as "TrafficFlowObserved" under one context and as its full IRI under another is
/// one type.
/// </summary>
public sealed class LdContext
{
    private readonly Dictionary<string, string> _terms;
    private readonly Dictionary<string, string> _reverse;

    private LdContext(Dictionary<string, string> terms, string? vocab, IReadOnlyList<string> sources)
    {
        _terms = terms;
        Vocab = vocab;
        Sources = sources;
        _reverse = [];
        foreach (var (term, iri) in terms)
        {
            // Prefix-like terms ("ngsi-ld") never stand for a value; the first term for an IRI is its short name.
            if (!term.StartsWith('@') && !iri.StartsWith('@') && !iri.EndsWith('/') && !iri.EndsWith('#'))
            {
                _reverse.TryAdd(iri, term);
            }
        }
    }

    public string? Vocab { get; }

    /// <summary>The context URLs (and inline objects) that make it up, as the caller gave them; the core context last.</summary>
    public IReadOnlyList<string> Sources { get; }

    public static readonly LdContext Empty = new([], null, []);

    /// <summary>Merges context documents in order: a later definition of a term wins, as JSON-LD processing does.</summary>
    public static LdContext Merge(IEnumerable<(string Source, JsonObject Definitions)> contexts)
    {
        var terms = new Dictionary<string, string>(StringComparer.Ordinal);
        string? vocab = null;
        var sources = new List<string>();
        foreach (var (source, definitions) in contexts)
        {
            sources.Add(source);
            foreach (var (term, definition) in definitions)
            {
                if (term == "@vocab")
                {
                    vocab = definition?.GetValueKind() == System.Text.Json.JsonValueKind.String ? definition.GetValue<string>() : null;
                    continue;
                }
                if (term.StartsWith('@'))
                {
                    continue;
                }
                var iri = definition switch
                {
                    JsonValue value when value.TryGetValue<string>(out var text) => text,
                    JsonObject obj when obj["@id"] is JsonValue id && id.TryGetValue<string>(out var text) => text,
                    _ => null,
                };
                if (iri is null)
                {
                    terms.Remove(term);
                }
                else
                {
                    terms[term] = iri;
                }
            }
        }
        // Compact IRIs in definitions ("ngsi-ld:Property") are expanded against the prefixes of the whole context.
        foreach (var term in terms.Keys.ToList())
        {
            terms[term] = ExpandPrefixed(terms[term], terms);
        }
        return new LdContext(terms, vocab is null ? null : ExpandPrefixed(vocab, terms), sources);
    }

    /// <summary>The IRI a name stands for: a term, a compact IRI (prefix:suffix), an absolute IRI, or @vocab + name.</summary>
    public string Expand(string name)
    {
        if (_terms.TryGetValue(name, out var iri))
        {
            return iri;
        }
        if (IsAbsoluteIri(name))
        {
            return ExpandPrefixed(name, _terms);
        }
        return Vocab is null ? name : Vocab + name;
    }

    /// <summary>The shortest name this context gives an IRI: its term, or the part after @vocab, or the IRI itself.</summary>
    public string Compact(string iri)
    {
        if (_reverse.TryGetValue(iri, out var term))
        {
            return term;
        }
        if (Vocab is not null && iri.StartsWith(Vocab, StringComparison.Ordinal) && iri.Length > Vocab.Length)
        {
            var suffix = iri[Vocab.Length..];
            // Only when the short name would expand back to the same IRI.
            if (!_terms.ContainsKey(suffix) && !suffix.Contains(':'))
            {
                return suffix;
            }
        }
        return iri;
    }

    public static bool IsAbsoluteIri(string name)
    {
        var colon = name.IndexOf(':');
        return colon > 0 && name[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
    }

    private static string ExpandPrefixed(string value, Dictionary<string, string> terms)
    {
        var colon = value.IndexOf(':');
        if (colon <= 0 || value.AsSpan(colon + 1).StartsWith("//"))
        {
            return value;
        }
        return terms.TryGetValue(value[..colon], out var prefix) && !prefix.StartsWith('@') ? prefix + value[(colon + 1)..] : value;
    }
}
