using System.Buffers;
using System.Net.Http.Headers;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// A request body written into an array rented from the shared pool and returned once the request is answered. The
/// paced feeds write a body of 200–600 KB every tenth of a second while the clock runs, in the twin's own process:
/// written into a growing stream and copied out, each would leave about three times its size of large-object garbage
/// behind, collected at the twin's expense (what a sender in a process of its own never costs it).
/// </summary>
public sealed class PooledBody : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBody(int sizeHint) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 256));

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

    /// <summary>Content over the written bytes; valid until the body is disposed.</summary>
    public ByteArrayContent Content(string mediaType = "application/json")
    {
        var content = new ByteArrayContent(_buffer, 0, _written);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        if (_buffer.Length - _written >= Math.Max(sizeHint, 1))
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
