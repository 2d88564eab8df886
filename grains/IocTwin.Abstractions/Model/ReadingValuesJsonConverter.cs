using System.Text.Json;
using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>A reading's values in JSON: an object of named numbers, <c>{"speed": 42.5, "flow": 1200}</c>.</summary>
public sealed class ReadingValuesJsonConverter : JsonConverter<ReadingValues>
{
    public override ReadingValues Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Values are an object of named numbers.");
        }
        var pairs = new List<KeyValuePair<string, double>>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException($"Value '{name}' is not a number.");
            }
            pairs.Add(new(name, reader.GetDouble()));
        }
        return ReadingValues.Create([.. pairs]);
    }

    public override void Write(Utf8JsonWriter writer, ReadingValues value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, number) in value)
        {
            writer.WritePropertyName(options.DictionaryKeyPolicy?.ConvertName(name) ?? name);
            writer.WriteNumberValue(number);
        }
        writer.WriteEndObject();
    }
}
