using System.Buffers;
using System.Text;

namespace IocTwin.History;

/// <summary>
/// Entries of many sensors, grouped by sensor when read. They are kept in one array in arrival order, with the slot of
/// their sensor, and grouped by a counting sort: a move of a million readings holds two pooled arrays, not a list per
/// sensor for the collector to trace and promote. A sensor id is made a string once per sensor, not once per entry.
/// </summary>
public sealed class EntriesBySensor : IDisposable
{
    private readonly Dictionary<string, int> _slots;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _slotsByChars;
    private readonly List<string> _sensorIds;
    private StoredEntry[] _entries;
    private int[] _slotOf;
    // Entries ordered by sensor slot (arrival order within a sensor), and where each slot's run starts; null when stale.
    private StoredEntry[]? _grouped;
    private bool _groupedFromPool;
    private int[]? _runStart;
    private bool _sealed;

    /// <param name="capacity">Entries expected: a good guess spares regrowth.</param>
    /// <param name="sensors">Sensors expected: a move sees about as many as the last one did.</param>
    public EntriesBySensor(int capacity = 16, int sensors = 0)
    {
        _slots = new Dictionary<string, int>(sensors, StringComparer.Ordinal);
        _sensorIds = new List<string>(sensors);
        _slotsByChars = _slots.GetAlternateLookup<ReadOnlySpan<char>>();
        _entries = ArrayPool<StoredEntry>.Shared.Rent(Math.Max(16, capacity));
        _slotOf = ArrayPool<int>.Shared.Rent(_entries.Length);
    }

    public int Count { get; private set; }

    /// <summary>The sensors, in the order they first appeared.</summary>
    public IReadOnlyList<string> SensorIds => _sensorIds;

    public void Add(StoredEntry entry)
    {
        if (!_slots.TryGetValue(entry.SensorId, out var slot))
        {
            slot = NewSlot(entry.SensorId);
        }
        Add(slot, entry);
    }

    /// <summary>The slot of a sensor given by its UTF-8 id, and the id as a string (made once per sensor).</summary>
    internal int SlotOf(ReadOnlySpan<byte> sensorIdUtf8, out string sensorId)
    {
        var most = Encoding.UTF8.GetMaxCharCount(sensorIdUtf8.Length);
        Span<char> chars = most <= 512 ? stackalloc char[most] : new char[most];
        chars = chars[..Encoding.UTF8.GetChars(sensorIdUtf8, chars)];
        if (_slotsByChars.TryGetValue(chars, out sensorId!, out var slot))
        {
            return slot;
        }
        sensorId = chars.ToString();
        return NewSlot(sensorId);
    }

    internal void Add(int slot, StoredEntry entry)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("These entries are sealed or disposed: nothing can be added.");
        }
        ReturnGrouped();
        if (Count == _entries.Length)
        {
            Grow();
        }
        _entries[Count] = entry;
        _slotOf[Count] = slot;
        Count++;
    }

    /// <summary>One sensor's entries, in the order they were added; empty for a sensor never added.</summary>
    public ReadOnlySpan<StoredEntry> Of(string sensorId) =>
        _slots.TryGetValue(sensorId, out var slot) ? OfSlot(slot) : [];

    /// <summary>The entries of the sensor at <paramref name="index"/> in <see cref="SensorIds"/>.</summary>
    public ReadOnlySpan<StoredEntry> OfSlot(int index)
    {
        Group();
        return _grouped.AsSpan(_runStart![index], _runStart[index + 1] - _runStart[index]);
    }

    private int NewSlot(string sensorId)
    {
        var slot = _sensorIds.Count;
        _slots.Add(sensorId, slot);
        _sensorIds.Add(sensorId);
        return slot;
    }

    private void Grow()
    {
        var entries = ArrayPool<StoredEntry>.Shared.Rent(_entries.Length * 2);
        var slotOf = ArrayPool<int>.Shared.Rent(entries.Length);
        _entries.AsSpan(0, Count).CopyTo(entries);
        _slotOf.AsSpan(0, Count).CopyTo(slotOf);
        ReturnArrays();
        (_entries, _slotOf) = (entries, slotOf);
    }

    private void Group()
    {
        // Parsed rows are shared by concurrent queries: the first to read groups them.
        if (Volatile.Read(ref _grouped) is not null)
        {
            return;
        }
        lock (_sensorIds)
        {
            if (_grouped is null)
            {
                GroupNow();
            }
        }
    }

    /// <summary>
    /// Groups the entries into an array of exactly their number and gives the pooled arrays back: for entries kept a
    /// while, as parsed rows cached for queries are. Nothing can be added after.
    /// </summary>
    public EntriesBySensor Seal()
    {
        ReturnGrouped();
        GroupNow(pooled: false);
        ReturnArrays();
        (_entries, _slotOf, _sealed) = ([], [], true);
        return this;
    }

    private void GroupNow(bool pooled = true)
    {
        var runStart = new int[_sensorIds.Count + 1];
        for (var i = 0; i < Count; i++)
        {
            runStart[_slotOf[i] + 1]++;
        }
        for (var slot = 0; slot < _sensorIds.Count; slot++)
        {
            runStart[slot + 1] += runStart[slot];
        }
        var grouped = pooled ? ArrayPool<StoredEntry>.Shared.Rent(Count) : new StoredEntry[Count];
        _groupedFromPool = pooled;
        var next = runStart[..^1];
        for (var i = 0; i < Count; i++)
        {
            grouped[next[_slotOf[i]]++] = _entries[i];
        }
        _runStart = runStart;
        Volatile.Write(ref _grouped, grouped);
    }

    private void ReturnArrays()
    {
        // Entries refer to row buffers and ids: the used part is cleared, so that a pooled array keeps none alive.
        _entries.AsSpan(0, Count).Clear();
        ArrayPool<StoredEntry>.Shared.Return(_entries);
        ArrayPool<int>.Shared.Return(_slotOf);
    }

    private void ReturnGrouped()
    {
        if (_grouped is not null && _groupedFromPool)
        {
            _grouped.AsSpan(0, Count).Clear();
            ArrayPool<StoredEntry>.Shared.Return(_grouped);
        }
        _grouped = null;
    }

    /// <summary>Gives the arrays back to the pool; entries read before must not be used after.</summary>
    public void Dispose()
    {
        ReturnGrouped();
        if (!_sealed)
        {
            ReturnArrays();
        }
        (_entries, _slotOf, _sealed) = ([], [], true);
        Count = 0;
    }
}
