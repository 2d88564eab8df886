using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Writes a <see cref="SharedList{T}"/> from the bytes made for the first subscriber (each chunk serialised once); any other list
/// of these records as System.Text.Json would. Registered on the hub's JSON protocol only.
/// </summary>
public sealed class SharedListJsonConverter<T> : JsonConverter<List<T>>
{
    public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T[]>(ref reader, options) is { } records ? [.. records] : null;

    public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
    {
        if (value is SharedList<T> shared)
        {
            writer.WriteRawValue(shared.SerializedFor(options, records => Serialize(records, options), Frame), skipInputValidation: true);
            return;
        }
        // Declared as another type than List<T>, so that this converter is not asked again.
        JsonSerializer.Serialize<IReadOnlyList<T>>(writer, value, options);
    }

    private static readonly ReadOnlyMemory<byte> Open = "["u8.ToArray(), Comma = ","u8.ToArray(), Close = "]"u8.ToArray();

    /// <summary>The chunks' records in one JSON array.</summary>
    private static ReadOnlySequence<byte> Frame(int count, IReadOnlyList<SerializedRecords> chunks) => ChunkSequence.Of(Open, chunks, Comma, Close);

    /// <summary>A chunk as a JSON array, less its brackets.</summary>
    private static SerializedRecords Serialize(T[] records, JsonSerializerOptions options)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<T>>(records, options);
        return new SerializedRecords(bytes, 1, bytes.Length - 2);
    }
}
