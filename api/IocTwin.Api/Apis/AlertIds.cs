using IocTwin.Domain;

namespace IocTwin.Api.Apis;

/// <summary>Alert ids as districts make them: "{districtId}:{12 hex digits}".</summary>
public static class AlertIds
{
    private const int SuffixLength = 12;

    public const string Rule = "must be an alert id: a district id, ':' and 12 hexadecimal digits";

    public static bool TryParseDistrict(string? id, out string districtId)
    {
        districtId = "";
        var separator = id?.Length - SuffixLength - 1 ?? -1;
        if (separator <= 0 || id![separator] != ':' || !id.AsSpan(separator + 1).ContainsOnlyHex() || !TopologyRules.IsValidId(id[..separator]))
        {
            return false;
        }
        districtId = id[..separator];
        return true;
    }

    private static bool ContainsOnlyHex(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
