using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// A reading's named numbers, read-only. A sensor sends one to a few, and the twin keeps the latest of every sensor
/// live (in the sensor, its segment's snapshot and the screens' view): as one array of pairs they take 40–90 bytes where
/// a dictionary took 200–300, and being found by a scan of a handful of names costs no more than by hash. In JSON an
/// object of numbers, and stored exactly as a <see cref="Dictionary{TKey, TValue}"/> was (<see cref="ReadingValuesCodec"/>).
/// A name appears once; built from pairs that repeat one, the last wins, as in a dictionary's indexer.
/// </summary>
[Immutable]
[JsonConverter(typeof(ReadingValuesJsonConverter))]
[CollectionBuilder(typeof(ReadingValues), nameof(Create))]
public sealed class ReadingValues : IReadOnlyDictionary<string, double>
{
    private readonly KeyValuePair<string, double>[] _items;

    private ReadingValues(KeyValuePair<string, double>[] items) => _items = items;

    /// <summary>
    /// The values of a dictionary, copied. Also how the standard MessagePack resolvers make a read-only dictionary
    /// type, so that a .NET client of the hub reads readings without a formatter of its own.
    /// </summary>
    public ReadingValues(IDictionary<string, double> values) => _items = From(values)._items;

    public static ReadingValues Empty { get; } = new([]);

    /// <summary>Values of the given pairs; a name given twice keeps its last value.</summary>
    public static ReadingValues Create(ReadOnlySpan<KeyValuePair<string, double>> pairs)
    {
        if (pairs.IsEmpty)
        {
            return Empty;
        }
        var items = new KeyValuePair<string, double>[pairs.Length];
        var count = 0;
        // Beyond a handful of names a scan for each would cost the square of their number: they are indexed instead.
        var index = pairs.Length > ScanLimit ? new Dictionary<string, int>(pairs.Length, StringComparer.Ordinal) : null;
        foreach (var pair in pairs)
        {
            ArgumentNullException.ThrowIfNull(pair.Key, nameof(pairs));
            var at = index is null ? IndexOf(items, count, pair.Key) : index.TryGetValue(pair.Key, out var found) ? found : -1;
            if (at < 0)
            {
                index?.Add(pair.Key, count);
                at = count++;
            }
            items[at] = pair;
        }
        if (count < items.Length)
        {
            Array.Resize(ref items, count);
        }
        return new ReadingValues(items);
    }

    /// <summary>The values of a dictionary or any other pairs (the same instance when already such values).</summary>
    public static ReadingValues From(IEnumerable<KeyValuePair<string, double>> pairs) => pairs switch
    {
        ReadingValues values => values,
        // A dictionary's names are already distinct.
        Dictionary<string, double> { Count: 0 } => Empty,
        Dictionary<string, double> dictionary => new ReadingValues([.. dictionary]),
        _ => Create([.. pairs]),
    };

    /// <summary>The most names looked up by a scan while values are built.</summary>
    private const int ScanLimit = 16;

    /// <summary>A dictionary of values stands for a reading's values (copied).</summary>
    public static implicit operator ReadingValues(Dictionary<string, double> values) => From(values);

    public int Count => _items.Length;

    public double this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No value named '{key}'.");

    public bool ContainsKey(string key) => IndexOf(_items, _items.Length, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var at = IndexOf(_items, _items.Length, key);
        value = at >= 0 ? _items[at].Value : 0;
        return at >= 0;
    }

    /// <summary>These values without those <paramref name="keep"/> refuses (the same instance when it keeps all).</summary>
    public ReadingValues Where(Func<string, double, bool> keep)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (!keep(_items[i].Key, _items[i].Value))
            {
                return new ReadingValues([.. _items.Where(pair => keep(pair.Key, pair.Value))]);
            }
        }
        return this;
    }

    public IEnumerable<string> Keys => _items.Select(pair => pair.Key);

    public IEnumerable<double> Values => _items.Select(pair => pair.Value);

    /// <summary>The pairs in the order they were given, without allocating.</summary>
    public ReadOnlySpan<KeyValuePair<string, double>> Pairs => _items;

    public ReadOnlySpan<KeyValuePair<string, double>>.Enumerator GetEnumerator() => Pairs.GetEnumerator();

    IEnumerator<KeyValuePair<string, double>> IEnumerable<KeyValuePair<string, double>>.GetEnumerator() =>
        ((IEnumerable<KeyValuePair<string, double>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => "{" + string.Join(", ", _items.Select(pair => $"{pair.Key}: {pair.Value}")) + "}";

    // Names are mostly the same interned strings, so the reference check settles most comparisons.
    private static int IndexOf(KeyValuePair<string, double>[] items, int count, string key)
    {
        for (var i = 0; i < count; i++)
        {
            var name = items[i].Key;
            if (ReferenceEquals(name, key) || string.Equals(name, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Gathers the values of one reading at a time without a collection per reading; <see cref="TryAdd"/> refuses a
    /// name given twice. Not thread-safe: one per parser.
    /// </summary>
    public sealed class Builder
    {
        private KeyValuePair<string, double>[] _items = new KeyValuePair<string, double>[8];
        private int _count;

        public int Count => _count;

        public bool TryAdd(string name, double value)
        {
            if (IndexOf(_items, _count, name) >= 0)
            {
                return false;
            }
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }
            _items[_count++] = new(name, value);
            return true;
        }

        /// <summary>The values gathered, then none.</summary>
        public ReadingValues Take()
        {
            var values = _count == 0 ? Empty : new ReadingValues(_items.AsSpan(0, _count).ToArray());
            Clear();
            return values;
        }

        public void Clear()
        {
            Array.Clear(_items, 0, _count);
            _count = 0;
        }
    }
}
