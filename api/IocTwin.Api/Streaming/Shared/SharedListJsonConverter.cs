using System.Text.Json;
using System.Text.Json.Serialization;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Writes a <see cref="SharedList{T}"/> from the bytes made for the first subscriber (each chunk serialised once, joined once); any other list
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
            writer.WriteRawValue(shared.SerializedFor(options, records => Serialize(records, options), Join), skipInputValidation: true);
            return;
        }
        // Declared as another type than List<T>, so that this converter is not asked again.
        JsonSerializer.Serialize<IReadOnlyList<T>>(writer, value, options);
    }

    /// <summary>The chunks' records in one JSON array.</summary>
    private static byte[] Join(int count, IReadOnlyList<SerializedRecords> chunks)
    {
        var whole = new byte[2 + chunks.Sum(c => c.Length) + Math.Max(0, chunks.Count - 1)];
        var at = 0;
        whole[at++] = (byte)'[';
        foreach (var chunk in chunks)
        {
            if (at > 1)
            {
                whole[at++] = (byte)',';
            }
            chunk.Span.CopyTo(whole.AsSpan(at));
            at += chunk.Length;
        }
        whole[at] = (byte)']';
        return whole;
    }

    /// <summary>A chunk as a JSON array, less its brackets.</summary>
    private static SerializedRecords Serialize(T[] records, JsonSerializerOptions options)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<T>>(records, options);
        return new SerializedRecords(bytes, 1, bytes.Length - 2);
    }
}
