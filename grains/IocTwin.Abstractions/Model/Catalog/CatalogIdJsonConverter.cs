using System.Text.Json;
using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// Writes a catalogue id as the kebab-case string the enums it replaced were written as, values and dictionary keys
/// alike; reads only well-formed ids (whether the city defines one is for the caller to check).
/// </summary>
public sealed class CatalogIdJsonConverter<T> : JsonConverter<T> where T : struct, ICatalogId<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()) : throw new JsonException("Expected a kebab-case id.");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString());

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Id);

    private static T Parse(string? text) => CatalogIds.IsWellFormed(text)
        ? T.FromId(text!)
        : throw new JsonException($"'{text}' is not a kebab-case id of at most {CatalogIds.MaxLength} characters.");
}
