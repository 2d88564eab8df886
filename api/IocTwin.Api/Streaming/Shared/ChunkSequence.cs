using System.Buffers;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Serialised chunks laid end to end as one sequence of bytes, with the protocol's own framing between them (a JSON
/// array's brackets and commas, a MessagePack array's header), without copying them into one array: a city's list is
/// tens of megabytes, and one array of it a large-object allocation per version.
/// </summary>
internal static class ChunkSequence
{
    public static ReadOnlySequence<byte> Of(ReadOnlyMemory<byte> prefix, IReadOnlyList<SerializedRecords> chunks, ReadOnlyMemory<byte> separator, ReadOnlyMemory<byte> suffix)
    {
        var first = new Segment(prefix);
        var last = first;
        foreach (var chunk in chunks.Where(c => c.Length > 0))
        {
            if (last != first && !separator.IsEmpty)
            {
                last = last.Append(separator);
            }
            last = last.Append(chunk.Bytes.AsMemory(chunk.Start, chunk.Length));
        }
        if (!suffix.IsEmpty)
        {
            last = last.Append(suffix);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
