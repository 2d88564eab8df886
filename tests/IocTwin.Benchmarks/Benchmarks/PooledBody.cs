using System.Net.Http.Headers;
using CommunityToolkit.HighPerformance.Buffers;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// A request body written into arrays rented from the shared pool and given back once the request is answered. The
/// paced feeds write a body of 200–600 KB every tenth of a second while the clock runs, in the twin's own process:
/// written into a growing stream and copied out, each would leave about three times its size of large-object garbage
/// behind, collected at the twin's expense (what a sender in a process of its own never costs it).
/// </summary>
public sealed class PooledBody(int sizeHint) : IDisposable
{
    public ArrayPoolBufferWriter<byte> Writer { get; } = new(Math.Max(sizeHint, 256));

    /// <summary>Content over the written bytes; valid until the body is disposed.</summary>
    public ReadOnlyMemoryContent Content(string mediaType = "application/json")
    {
        var content = new ReadOnlyMemoryContent(Writer.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public void Dispose() => Writer.Dispose();
}
