using System.Text.Json;
using System.Text.Json.Serialization;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Writes a <see cref="SharedList{T}"/> from the bytes serialised for the first subscriber; any other list of these records
/// as System.Text.Json would. Registered on the hub's JSON protocol only.
/// </summary>
public sealed class SharedListJsonConverter<T> : JsonConverter<List<T>>
{
    public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T[]>(ref reader, options) is { } records ? [.. records] : null;

    public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
    {
        if (value is SharedList<T> shared)
        {
            writer.WriteRawValue(shared.SerializedFor(options, () => JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<T>>(shared, options)),
                skipInputValidation: true);
            return;
        }
        // Declared as another type than List<T>, so that this converter is not asked again.
        JsonSerializer.Serialize<IReadOnlyList<T>>(writer, value, options);
    }
}
