using System.Security.Claims;
using System.Text.Json;

namespace IocTwin.Api.Access;

/// <summary>
/// Reads the string values under a claim path: "roles" is a flat claim (one claim a value, or a JSON array),
/// "realm_access.roles" walks into the JSON object the provider put in the realm_access claim.
/// </summary>
public static class ClaimPath
{
    public static IEnumerable<string> Values(ClaimsPrincipal user, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return [];
        }
        var steps = path.Split('.');
        return user.FindAll(steps[0]).SelectMany(claim => Values(claim.Value, steps[1..]));
    }

    private static IEnumerable<string> Values(string claimValue, string[] steps)
    {
        var trimmed = claimValue.TrimStart();
        if (!trimmed.StartsWith('{') && !trimmed.StartsWith('['))
        {
            return steps.Length == 0 ? [claimValue] : [];
        }
        try
        {
            using var document = JsonDocument.Parse(claimValue);
            var values = new List<string>();
            Collect(document.RootElement, steps, values);
            return values;
        }
        catch (JsonException)
        {
            return steps.Length == 0 ? [claimValue] : [];
        }
    }

    private static void Collect(JsonElement element, ReadOnlySpan<string> steps, List<string> values)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Collect(item, steps, values);
            }
        }
        else if (steps.Length > 0)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(steps[0], out var child))
            {
                Collect(child, steps[1..], values);
            }
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            values.Add(element.GetString()!);
        }
    }
}
