using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IocTwin.Api.NgsiLd.Query;

/// <summary>A value written in a q expression: a number, a quoted string, true/false, a date-time, or bare text (a URI).</summary>
public sealed record QueryLiteral(string Text, double? Number, bool? Boolean, DateTimeOffset? Time, bool Quoted)
{
    public static QueryLiteral Parse(string raw)
    {
        raw = raw.Trim();
        if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
        {
            var text = raw[1..^1].Replace("\\\"", "\"");
            return new QueryLiteral(text, null, null, ParseTime(text), Quoted: true);
        }
        if (raw.Length == 0)
        {
            throw new NgsiLdRequestException("q: a comparison has no value.");
        }
        if (raw.IndexOfAny(['=', '<', '>', '~', '!', '(', '"']) >= 0)
        {
            throw new NgsiLdRequestException($"q: '{raw}' is not a value; quote text (\"...\").");
        }
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return new QueryLiteral(raw, number, null, null, false);
        }
        if (raw is "true" or "false")
        {
            return new QueryLiteral(raw, null, raw == "true", null, false);
        }
        return new QueryLiteral(raw, null, null, ParseTime(raw), false);
    }

    /// <summary>ISO 8601 date-times only (with a 'T'), so that plain words and ids are never read as dates.</summary>
    private static DateTimeOffset? ParseTime(string text) =>
        text.Length >= 10 && text.Contains('T') && char.IsAsciiDigit(text[0]) &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>How the attribute value compares to this literal; null when the two are of kinds that do not compare.</summary>
    public int? CompareTo(JsonNode? value)
    {
        if (value is JsonObject { } typed && typed["@value"] is { } inner)
        {
            value = inner;
        }
        if (value is not JsonValue scalar)
        {
            return null;
        }
        switch (scalar.GetValueKind())
        {
            case JsonValueKind.Number when Number is { } number:
                return double.Parse(scalar.ToJsonString(), CultureInfo.InvariantCulture).CompareTo(number);
            case JsonValueKind.True or JsonValueKind.False when Boolean is { } boolean:
                return scalar.GetValue<bool>() == boolean ? 0 : null;
            case JsonValueKind.String:
                var text = scalar.GetValue<string>();
                if (Time is { } time && ParseTime(text) is { } valueTime)
                {
                    return valueTime.CompareTo(time);
                }
                return Number is null && Boolean is null ? string.CompareOrdinal(text, Text) : null;
            default:
                return null;
        }
    }
}
