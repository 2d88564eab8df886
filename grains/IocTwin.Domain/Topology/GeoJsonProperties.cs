using System.Globalization;
using System.Text.Json;
using static IocTwin.Topology.GeoJsonText;

namespace IocTwin.Topology;

/// <summary>Reads the properties of a feature: ids, references and optional values, each reporting a clear error against its field.</summary>
internal static class GeoJsonProperties
{
    public static string? ReadId(JsonElement feature, JsonElement props, FeatureContext ctx)
    {
        if (!props.TryGetProperty("id", out var idElement) || idElement.ValueKind == JsonValueKind.Null)
        {
            // GeoJSON also allows the id on the feature itself.
            if (!feature.TryGetProperty("id", out idElement) || idElement.ValueKind == JsonValueKind.Null)
            {
                ctx.Error("properties.id", "Missing id.");
                return null;
            }
        }

        if (idElement.ValueKind == JsonValueKind.String)
        {
            ctx.Id = Truncate(idElement.GetString()!);
        }
        return ReadIdValue(idElement, "properties.id", ctx);
    }

    public static string? TopLevelId(JsonElement feature) =>
        feature.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? Truncate(id.GetString()!) : null;

    public static string? RequiredReference(JsonElement props, string name, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            ctx.Error("properties." + name, $"Missing \"{name}\".");
            return null;
        }
        return ReadIdValue(element, "properties." + name, ctx);
    }

    /// <summary>
    /// The area a segment or sensor names: <c>areaId</c>, or <c>districtId</c> as files named it before areas nested.
    /// Null when it names none: an error when <paramref name="required"/>.
    /// </summary>
    public static string? AreaReference(JsonElement props, FeatureContext ctx, bool required)
    {
        string? Read(string name) => props.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null
            ? ReadIdValue(element, "properties." + name, ctx)
            : null;
        var areaId = Read("areaId");
        var districtId = Read("districtId");
        if (areaId is not null && districtId is not null && areaId != districtId)
        {
            ctx.Error("properties.areaId", $"\"areaId\" '{areaId}' and \"districtId\" '{districtId}' name different areas; give one.");
        }
        if (required && areaId is null && districtId is null && !ctx.Failed)
        {
            ctx.Error("properties.districtId", "Missing \"districtId\" (or \"areaId\").");
        }
        return areaId ?? districtId;
    }

    public static string? ReadIdValue(JsonElement element, string field, FeatureContext ctx)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            ctx.Error(field, $"Expected an id string, got {Describe(element)}.");
            return null;
        }
        var value = element.GetString()!;
        if (!IsValidId(value, out var problem))
        {
            ctx.Error(field, problem);
            return null;
        }
        return value;
    }

    public static bool IsValidId(string? id, out string problem)
    {
        if (string.IsNullOrEmpty(id))
        {
            problem = "The id is empty.";
            return false;
        }
        if (id.Length > GeoJsonCityReader.MaxIdLength)
        {
            problem = $"The id is {id.Length} characters long; at most {GeoJsonCityReader.MaxIdLength} are allowed.";
            return false;
        }
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or ':' or '-'))
            {
                problem = $"The id '{id}' contains '{c}'; only letters A-Z a-z, digits and . _ : - are allowed.";
                return false;
            }
        }
        problem = "";
        return true;
    }

    public static string? OptionalString(JsonElement props, string name, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            ctx.Error("properties." + name, $"Expected a string, got {Describe(element)}.");
            return null;
        }
        return element.GetString();
    }

    public static bool? OptionalBool(JsonElement props, string name, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }
        ctx.Error("properties." + name, $"Expected true or false, got {Describe(element)}.");
        return null;
    }

    public static int? OptionalInteger(JsonElement props, string name, int min, int max, FeatureContext ctx)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) ||
            !double.IsFinite(value) || value != Math.Floor(value))
        {
            ctx.Error("properties." + name, $"Expected a whole number from {min} to {max}, got {Describe(element)}.");
            return null;
        }
        if (value < min || value > max)
        {
            ctx.Error("properties." + name, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range: expected {min} to {max}.");
            return null;
        }
        return (int)value;
    }

    public static double? OptionalNumber(JsonElement props, string name, FeatureContext ctx,
        double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool minExclusive = false)
    {
        if (!props.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            ctx.Error("properties." + name, $"Expected a finite number, got {Describe(element)}.");
            return null;
        }
        var tooLow = minExclusive ? value <= min : value < min;
        if (tooLow || value > max)
        {
            var lower = minExclusive ? $"greater than {Format(min)}" : $"at least {Format(min)}";
            var range = double.IsPositiveInfinity(max) ? lower : $"{lower} and at most {Format(max)}";
            ctx.Error("properties." + name, $"{Format(value)} is out of range: expected a number {range}.");
            return null;
        }
        return value;
    }
}
