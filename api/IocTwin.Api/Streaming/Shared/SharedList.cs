using System.Buffers;
using System.Collections.Concurrent;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Records that many snapshots send as they are, in chunks of at most <see cref="ChunkSize"/>: each chunk is serialised
/// once per hub protocol (keyed by that protocol's serializer options), and the chunks' bytes, laid end to end in the
/// protocol's framing (<see cref="ChunkSequence"/>), are written for every later subscriber instead of tens of thousands
/// of records per subscriber. A later version of the list (<see cref="SharedRecordStore"/>) makes new chunks only where
/// records changed, so only those are serialised again. A snapshot sent in parts (<see cref="Parts"/>) sends runs of
/// whole chunks, serialised once as well. Never changed once made.
/// </summary>
public sealed class SharedList<T> : List<T>
{
    /// <summary>
    /// Records per chunk at most: small enough that an idle city re-encodes little and that a chunk's bytes (a segment
    /// with its geometry is up to about a kilobyte) stay below the large object heap, whose allocations a busy feed turns
    /// into full collections when every chunk changes between subscribers; large enough that chunks stay few.
    /// </summary>
    public const int ChunkSize = 64;

    /// <param name="chunkSize">Records per chunk, at most <see cref="ChunkSize"/> (see <see cref="ChunkSizeFor"/>).</param>
    public SharedList(IEnumerable<T> records, int chunkSize = ChunkSize) : base(records)
    {
        ChunkLength = Math.Clamp(chunkSize, 1, ChunkSize);
        Chunks = [.. this.Chunk(ChunkLength).Select(chunk => new SharedChunk<T>(chunk))];
        Protocols = new();
    }

    /// <summary>A later version of a list: these records, in these chunks, written by the protocols the earlier one was.</summary>
    internal SharedList(T[] records, SharedChunk<T>[] chunks, int chunkLength, ConcurrentDictionary<object, Func<T[], SerializedRecords>> protocols)
        : base(records)
    {
        ChunkLength = chunkLength;
        Chunks = chunks;
        Protocols = protocols;
    }

    /// <summary>Records in each chunk (the last may hold fewer).</summary>
    public int ChunkLength { get; }

    public IReadOnlyList<SharedChunk<T>> Chunks { get; }

    /// <summary>
    /// The chunk size whose chunks make parts of at most <paramref name="recordsPerPart"/> records, as close to it as chunks of
    /// at most <see cref="ChunkSize"/> allow (2,000 a part: chunks of 62, parts of 1,984).
    /// </summary>
    public static int ChunkSizeFor(int recordsPerPart) =>
        recordsPerPart < 1 ? ChunkSize : recordsPerPart / (int)Math.Ceiling(recordsPerPart / (double)ChunkSize);

    private readonly ConcurrentDictionary<int, IReadOnlyList<SharedList<T>>> _parts = new();

    /// <summary>
    /// The list in consecutive parts of at most <paramref name="recordsPerPart"/> records (at least one chunk each), each part
    /// made of this list's chunks so that every subscriber sent this version in parts shares their bytes.
    /// </summary>
    public IReadOnlyList<SharedList<T>> Parts(int recordsPerPart) => _parts.GetOrAdd(Math.Max(1, recordsPerPart / ChunkLength), chunksPerPart =>
        [.. Chunks.Chunk(chunksPerPart).Select(chunks => new SharedList<T>([.. chunks.SelectMany(c => c.Records)], chunks, ChunkLength, Protocols))]);

    /// <summary>Every protocol this list or an earlier version of it was written with, and how it serialises a chunk.</summary>
    internal ConcurrentDictionary<object, Func<T[], SerializedRecords>> Protocols { get; }

    private readonly ConcurrentDictionary<object, Lazy<ReadOnlySequence<byte>>> _whole = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The whole list as the protocol with these options writes it (<paramref name="frame"/> lays the chunks' records end
    /// to end in one array of the protocol), made by the first caller from the chunks, each serialised once.
    /// </summary>
    public ReadOnlySequence<byte> SerializedFor(object options, Func<T[], SerializedRecords> serialize,
        Func<int, IReadOnlyList<SerializedRecords>, ReadOnlySequence<byte>> frame)
    {
        Protocols.TryAdd(options, serialize);
        return _whole.GetOrAdd(options, _ => new Lazy<ReadOnlySequence<byte>>(() => frame(Count, [.. Chunks.Select(chunk => chunk.SerializedFor(options, serialize))]))).Value;
    }

    /// <summary>
    /// Serialises, ahead of any subscriber, the chunks for each protocol this list or one before it was written with; the
    /// first writer joins them (the whole list, or its parts when sent in parts).
    /// </summary>
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
