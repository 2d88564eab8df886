using System.Collections.Concurrent;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Records that many snapshots send as they are, in chunks of <see cref="ChunkSize"/>: each chunk is serialised once per
/// hub protocol (keyed by that protocol's serializer options) and its bytes written for every later subscriber, instead
/// of tens of thousands of records per subscriber. A later version of the list (<see cref="SharedRecordStore"/>) makes
/// new chunks only where records changed, so only those are serialised again. Never changed once made.
/// </summary>
public sealed class SharedList<T> : List<T>
{
    /// <summary>Records per chunk: small enough that an idle city re-encodes little, large enough that chunks stay few.</summary>
    public const int ChunkSize = 512;

    public SharedList(IEnumerable<T> records) : base(records)
    {
        Chunks = [.. this.Chunk(ChunkSize).Select(chunk => new SharedChunk<T>(chunk))];
        Protocols = new();
    }

    /// <summary>A later version of a list: these records, in these chunks, written by the protocols the earlier one was.</summary>
    internal SharedList(T[] records, SharedChunk<T>[] chunks, ConcurrentDictionary<object, Func<T[], SerializedRecords>> protocols)
        : base(records)
    {
        Chunks = chunks;
        Protocols = protocols;
    }

    public IReadOnlyList<SharedChunk<T>> Chunks { get; }

    /// <summary>Every protocol this list or an earlier version of it was written with, and how it serialises a chunk.</summary>
    internal ConcurrentDictionary<object, Func<T[], SerializedRecords>> Protocols { get; }

    /// <summary>The chunks as the protocol with these options writes them, each serialised by its first caller.</summary>
    public IEnumerable<SerializedRecords> SerializedFor(object options, Func<T[], SerializedRecords> serialize)
    {
        Protocols.TryAdd(options, serialize);
        return Chunks.Select(chunk => chunk.SerializedFor(options, serialize));
    }

    /// <summary>Serialises, ahead of any subscriber, each chunk for each protocol this list was written with before.</summary>
    public void SerializeAhead()
    {
        foreach (var (options, serialize) in Protocols)
        {
            foreach (var chunk in Chunks)
            {
                chunk.SerializedFor(options, serialize);
            }
        }
    }
}

/// <summary>A run of consecutive records of a <see cref="SharedList{T}"/>, serialised once per protocol.</summary>
public sealed class SharedChunk<T>(T[] records)
{
    private readonly ConcurrentDictionary<object, Lazy<SerializedRecords>> _serialized = new(ReferenceEqualityComparer.Instance);

    public T[] Records { get; } = records;

    public SerializedRecords SerializedFor(object options, Func<T[], SerializedRecords> serialize) =>
        _serialized.GetOrAdd(options, _ => new Lazy<SerializedRecords>(() => serialize(Records))).Value;
}

/// <summary>A chunk's records as a protocol writes them in an array, without the array's own start and end.</summary>
public readonly record struct SerializedRecords(byte[] Bytes, int Start, int Length)
{
    public ReadOnlySpan<byte> Span => Bytes.AsSpan(Start, Length);
}
