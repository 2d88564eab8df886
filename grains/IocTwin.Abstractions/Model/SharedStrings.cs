using System.Collections.Concurrent;

namespace IocTwin.Model;

/// <summary>
/// One instance of each of a few strings that many objects hold (catalogue ids, area ids): every stored row and every
/// message read gives each holder a copy of its own otherwise, and a twin of a million sensors holds a sector, a kind
/// and a district in each of them. Bounded: past its capacity it hands back what it is given, so that
/// input naming ever new ids cannot grow it without end. Unlike <see cref="string.Intern"/>, a pool per purpose.
/// </summary>
public sealed class SharedStrings(int capacity)
{
    private readonly ConcurrentDictionary<string, string> _pool = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Catalogue ids (sectors and sensor kinds, a few dozen in a city) read from stored state and messages.</summary>
    public static SharedStrings CatalogIds { get; } = new(4_096);

    /// <summary>Ids of the areas registered sensors are in (wards, districts): some thousands in a country.</summary>
    public static SharedStrings AreaIds { get; } = new(65_536);

    /// <summary>The pool's instance equal to <paramref name="value"/>, or the value itself (then pooled if there is room).</summary>
    public string Share(string value)
    {
        if (_pool.TryGetValue(value, out var shared))
        {
            return shared;
        }
        if (Volatile.Read(ref _count) >= capacity)
        {
            return value;
        }
        shared = _pool.GetOrAdd(value, value);
        if (ReferenceEquals(shared, value))
        {
            Interlocked.Increment(ref _count);
        }
        return shared;
    }
}
