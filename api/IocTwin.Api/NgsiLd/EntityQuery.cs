using System.Text.RegularExpressions;
using IocTwin.Api.NgsiLd.Query;

namespace IocTwin.Api.NgsiLd;

/// <summary>The parameters of GET /entities, read and checked; throws <see cref="NgsiLdRequestException"/> naming a bad one.</summary>
public sealed record EntityQuery(
    IReadOnlySet<string>? Types, IReadOnlySet<string>? Ids, Regex? IdPattern, IReadOnlySet<string>? Attributes,
    QueryExpression? Q, GeoQuery? Geo, int Limit, int Offset, bool Count, RenderOptions Render)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 1000;

    public static EntityQuery Parse(IQueryCollection query, LdContext context, TimeSpan patternTimeout)
    {
        string? Get(string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;
        var type = Get("type");
        var id = Get("id");
        var idPattern = Get("idPattern");
        var attrs = Get("attrs");
        var q = Get("q");
        var georel = Get("georel");
        if (type is null && id is null && idPattern is null && attrs is null && q is null && georel is null)
        {
            throw new NgsiLdRequestException("Give at least one of type, id, idPattern, attrs, q or georel.");
        }
        var types = type is null ? null : Names(type, "type", context, ',', '|');
        var ids = id is null ? null : IdList(id);
        Regex? pattern = null;
        if (idPattern is not null)
        {
            try
            {
                pattern = new Regex(idPattern, RegexOptions.CultureInvariant, patternTimeout);
            }
            catch (ArgumentException)
            {
                throw new NgsiLdRequestException($"idPattern '{idPattern}' is not a regular expression.");
            }
        }
        var attributes = attrs is null ? null : Names(attrs, "attrs", context, ',');
        var expression = q is null ? null : QueryParser.Parse(q, context.Expand, patternTimeout);
        GeoQuery? geo = null;
        if (georel is not null || Get("geometry") is not null || Get("coordinates") is not null)
        {
            geo = GeoQuery.Parse(georel ?? throw new NgsiLdRequestException("geometry and coordinates need a georel."),
                Get("geometry"), Get("coordinates"), context.Expand(Get("geoproperty") ?? "location"));
        }
        var count = Get("count") switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw new NgsiLdRequestException($"count: '{other}' is not true or false."),
        };
        var limit = Number(Get("limit"), "limit", DefaultLimit);
        if (limit > MaxLimit)
        {
            throw new NgsiLdRequestException($"limit: at most {MaxLimit} entities per page.");
        }
        if (limit == 0 && !count)
        {
            throw new NgsiLdRequestException("limit=0 goes only with count=true.");
        }
        var offset = Number(Get("offset"), "offset", 0);
        return new EntityQuery(types, ids, pattern, attributes, expression, geo, limit, offset, count,
            RenderOptions.Parse(Get("options"), Get("format"), attributes, Get("datasetId")));
    }

    public bool Matches(NgsiEntity entity) =>
        (Ids is null || Ids.Contains(entity.Id))
        && (IdPattern is null || IdPattern.IsMatch(entity.Id))
        && (Attributes is null || Attributes.Any(entity.Attributes.ContainsKey))
        && (Q is null || Q.Matches(entity))
        && (Geo is null || Geo.Matches(entity));

    /// <summary>Short names or IRIs, expanded with the request's context.</summary>
    public static HashSet<string> Names(string list, string field, LdContext context, params char[] separators)
    {
        var names = list.Split(separators, StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0 || n.Any(c => char.IsWhiteSpace(c) || c is ';' or '(' or ')' or '"')))
        {
            throw new NgsiLdRequestException($"{field}: '{list}' is not a list of names.");
        }
        return [.. names.Select(context.Expand)];
    }

    private static HashSet<string> IdList(string list)
    {
        var ids = list.Split(',', StringSplitOptions.TrimEntries);
        if (ids.Any(i => !LdContext.IsAbsoluteIri(i)))
        {
            throw new NgsiLdRequestException($"id: '{list}' is not a list of URIs.");
        }
        return [.. ids];
    }

    private static int Number(string? text, string field, int fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new NgsiLdRequestException($"{field}: '{text}' is not a whole number of 0 or more.");
    }
}
