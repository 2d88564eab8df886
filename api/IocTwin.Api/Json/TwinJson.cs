using System.Text.Json;
using System.Text.Json.Serialization;
using IocTwin.Model;

namespace IocTwin.Api.Json;

/// <summary>
/// The API's JSON conventions: camelCase, kebab-case enums ("traffic-counter"), positions as [lon, lat], and numbers
/// only as JSON numbers.
/// </summary>
public static class TwinJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // The web defaults read "12" as 12: a number sent as a string is refused, naming its field, like any other
        // value of the wrong type.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new GeoPointConverter());
        options.Converters.Add(new JsonStringEnumConverter<LevelOfService>());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }
}

/// <summary>Reads and writes a <see cref="GeoPoint"/> as a GeoJSON position [lon, lat].</summary>
public sealed class GeoPointConverter : JsonConverter<GeoPoint>
{
    public override GeoPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A position is an array [lon, lat].");
        }
        reader.Read();
        var lon = ReadNumber(ref reader);
        var lat = ReadNumber(ref reader);
        // GeoJSON allows an altitude; the twin is flat.
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            ReadNumber(ref reader);
        }
        var point = new GeoPoint(lon, lat);
        return point.IsValid ? point : throw new JsonException("A position needs -180 <= lon <= 180 and -90 <= lat <= 90.");
    }

    public override void Write(Utf8JsonWriter writer, GeoPoint value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Lon);
        writer.WriteNumberValue(value.Lat);
        writer.WriteEndArray();
    }

    private static double ReadNumber(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException("A position is an array [lon, lat] of numbers.");
        }
        var value = reader.GetDouble();
        reader.Read();
        return value;
    }
}
