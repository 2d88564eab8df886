using System.Globalization;
using System.Text.Json;

namespace IocTwin.Topology;

/// <summary>How import errors show numbers and values from the document: short, invariant, and never a whole long string.</summary>
internal static class GeoJsonText
{
    public static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    public static string Truncate(string value) =>
        value.Length <= GeoJsonCityReader.MaxIdLength ? value : string.Concat(value.AsSpan(0, GeoJsonCityReader.MaxIdLength), "…");

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        JsonValueKind.String => $"the string \"{Truncate(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };
}
