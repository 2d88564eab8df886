using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Writes a <see cref="SharedList{T}"/> from the bytes made for the first subscriber (each chunk serialised once); any other list
/// of these records as MessagePack would (a list and a read-only list are the same array on the wire). Used by the hub's
/// MessagePack protocol.
/// </summary>
public sealed class SharedListFormatter<T> : IMessagePackFormatter<List<T>?>
{
    public void Serialize(ref MessagePackWriter writer, List<T>? value, MessagePackSerializerOptions options)
    {
        if (value is SharedList<T> shared)
        {
            writer.WriteRaw(shared.SerializedFor(options, records => SerializeChunk(records, options), Frame));
            return;
        }
        options.Resolver.GetFormatterWithVerify<IReadOnlyList<T>?>().Serialize(ref writer, value, options);
    }

    public List<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        options.Resolver.GetFormatterWithVerify<T[]?>().Deserialize(ref reader, options) is { } records ? [.. records] : null;

    /// <summary>The chunks' records in one MessagePack array, under its header.</summary>
    private static ReadOnlySequence<byte> Frame(int count, IReadOnlyList<SerializedRecords> chunks)
    {
        var header = new ArrayBufferWriter<byte>(5);
        var writer = new MessagePackWriter(header);
        writer.WriteArrayHeader(count);
        writer.Flush();
        return ChunkSequence.Of(header.WrittenMemory, chunks, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>A chunk as a MessagePack array, less its header: the records follow each other in the whole list's array.</summary>
    private static SerializedRecords SerializeChunk(T[] records, MessagePackSerializerOptions options)
    {
        var bytes = MessagePackSerializer.Serialize<IReadOnlyList<T>>(records, options);
        var reader = new MessagePackReader(bytes);
        reader.ReadArrayHeader();
        var start = (int)reader.Consumed;
        return new SerializedRecords(bytes, start, bytes.Length - start);
    }
}

/// <summary>Answers <see cref="SharedListFormatter{T}"/> for lists of the records snapshots share, and nothing else.</summary>
public sealed class SharedListResolver(params Type[] recordTypes) : IFormatterResolver
{
    private readonly HashSet<Type> _listTypes = [.. recordTypes.Select(t => typeof(List<>).MakeGenericType(t))];

    public IMessagePackFormatter<T>? GetFormatter<T>() =>
        _listTypes.Contains(typeof(T))
            ? (IMessagePackFormatter<T>?)Activator.CreateInstance(typeof(SharedListFormatter<>).MakeGenericType(typeof(T).GetGenericArguments()))
            : null;
}
