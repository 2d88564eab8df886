using System.Threading.Channels;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Entities;

/// <summary>
/// Every change to a context entity, in this API process, wherever in the cluster it was written: the twin's
/// publisher sends each to every API process's observer, which raises it here. Readers take a channel of their own
/// (<see cref="Subscribe"/>) or handle <see cref="Changed"/>; a reader that falls behind loses its oldest changes,
/// never holding up the others or the twin.
/// </summary>
public sealed class ContextEntityChanges
{
    private readonly Lock _gate = new();
    private Channel<ContextEntityChange>[] _readers = [];

    /// <summary>Raised on the observer's thread for each change; handlers must be quick and must not throw.</summary>
    public event Action<ContextEntityChange>? Changed;

    /// <summary>A channel receiving every change from now on, until <paramref name="cancellationToken"/> ends it.</summary>
    public ChannelReader<ContextEntityChange> Subscribe(int capacity, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ContextEntityChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
        lock (_gate)
        {
            _readers = [.. _readers, channel];
        }
        cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _readers = [.. _readers.Where(r => r != channel)];
            }
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Raise(IEnumerable<ContextEntityChange> changes)
    {
        var readers = _readers;
        foreach (var change in changes)
        {
            foreach (var reader in readers)
            {
                reader.Writer.TryWrite(change);
            }
            Changed?.Invoke(change);
        }
    }
}
