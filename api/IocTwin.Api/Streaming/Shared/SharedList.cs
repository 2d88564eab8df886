using System.Collections.Concurrent;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// Records that many snapshots send as they are: serialised once per hub protocol (keyed by that protocol's serializer
/// options) and the bytes written for every later subscriber, instead of tens of thousands of records per subscriber.
/// Never changed once made.
/// </summary>
public sealed class SharedList<T>(IEnumerable<T> records) : List<T>(records)
{
    private readonly ConcurrentDictionary<object, Lazy<byte[]>> _serialized = new(ReferenceEqualityComparer.Instance);

    /// <summary>The records as the protocol with these options writes them, serialised by the first caller.</summary>
    public byte[] SerializedFor(object options, Func<byte[]> serialize) =>
        _serialized.GetOrAdd(options, _ => new Lazy<byte[]>(serialize)).Value;
}
