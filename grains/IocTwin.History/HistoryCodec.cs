using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using IocTwin.Model;

namespace IocTwin.History;

/// <summary>A stored reading as read back from a history row, its values still encoded.</summary>
public readonly record struct StoredEntry(string SensorId, long TimestampMs, HistoryBatch Batch, ReadOnlyMemory<byte> Values)
{
    public HistoryReading ToReading(Utf8NameCache keys) =>
        new(SensorId, DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs), HistoryCodec.DecodeValues(Values.Span, keys), Batch);
}

/// <summary>
/// Entries of many sensors, grouped by sensor when read. They are kept in one array in arrival order, with the slot of
/// their sensor, and grouped by a counting sort: a move of a million readings holds two pooled arrays, not a list per
/// sensor for the collector to trace and promote. A sensor id is made a string once per sensor, not once per entry.
/// </summary>
public sealed class EntriesBySensor : IDisposable
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _slotsByChars;
    private readonly List<string> _sensorIds = [];
    private StoredEntry[] _entries;
    private int[] _slotOf;
    // Entries ordered by sensor slot (arrival order within a sensor), and where each slot's run starts; null when stale.
    private StoredEntry[]? _grouped;
    private bool _groupedFromPool;
    private int[]? _runStart;
    private bool _sealed;

    /// <param name="capacity">Entries expected: a good guess spares regrowth.</param>
    public EntriesBySensor(int capacity = 16)
    {
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

/// <summary>
/// The binary layout of readings in history rows. An appended row holds one stored batch, for many sensors:
/// <c>[version][count]</c>, then entries of <c>[sensor id][timestamp ms][values]</c>; its writer and commit time are
/// columns. A block holds one sensor's readings of many batches: <c>[version][count]</c>, then entries of
/// <c>[timestamp ms][writer][commit ms][values]</c>. Values are <c>[byte length][count]</c> and <c>[name][double]</c>
/// pairs, so moving a reading from a batch into a block copies its values without decoding them. Integers are
/// little-endian; counts, lengths and strings are 7-bit length-prefixed as in <see cref="BinaryWriter"/>.
/// </summary>
public static class HistoryCodec
{
    private const byte Version = 1;

    /// <summary>One batch as an appended row, in one exactly sized array (encoded by the caller, before its commit).</summary>
    public static byte[] EncodeBatch(IReadOnlyList<(string SensorId, Reading Reading)> readings)
    {
        var size = 1 + CountSize(readings.Count);
        foreach (var (sensorId, reading) in readings)
        {
            var values = ValuesSize(reading.Values);
            size += StringSize(sensorId) + 8 + CountSize(values) + values;
        }
        var row = new byte[size];
        var writer = new Writer(row);
        writer.WriteByte(Version);
        writer.WriteCount(readings.Count);
        foreach (var (sensorId, reading) in readings)
        {
            writer.WriteString(sensorId);
            writer.WriteInt64(reading.Timestamp.ToUnixTimeMilliseconds());
            writer.WriteValues(reading.Values, ValuesSize(reading.Values));
        }
        return row;
    }

    /// <summary>The entries of an appended row, grouped by sensor, in the order they were appended.</summary>
    public static void ReadBatch(ReadOnlyMemory<byte> row, HistoryBatch batch, EntriesBySensor into)
    {
        var reader = new Reader(row.Span);
        CheckVersion(ref reader);
        var count = reader.ReadCount();
        for (var i = 0; i < count; i++)
        {
            var slot = into.SlotOf(reader.ReadStringBytes(), out var sensorId);
            var ts = reader.ReadInt64();
            var valuesStart = reader.Position;
            reader.Skip(reader.ReadCount());
            into.Add(slot, new StoredEntry(sensorId, ts, batch, row.Slice(valuesStart, reader.Position - valuesStart)));
        }
    }

    /// <summary>One sensor's readings as a block row.</summary>
    public static byte[] EncodeBlock(ReadOnlySpan<StoredEntry> entries)
    {
        var block = new byte[BlockSize(entries)];
        EncodeBlock(entries, block);
        return block;
    }

    /// <summary>The exact size of the block row of these entries.</summary>
    public static int BlockSize(ReadOnlySpan<StoredEntry> entries)
    {
        var size = 1 + CountSize(entries.Length);
        foreach (ref readonly var entry in entries)
        {
            size += 8 + 4 + 8 + entry.Values.Length;
        }
        return size;
    }

    /// <summary>One sensor's readings as a block row, into a buffer of at least <see cref="BlockSize"/> bytes.</summary>
    public static void EncodeBlock(ReadOnlySpan<StoredEntry> entries, Span<byte> into)
    {
        var writer = new Writer(into);
        writer.WriteByte(Version);
        writer.WriteCount(entries.Length);
        foreach (ref readonly var entry in entries)
        {
            writer.WriteInt64(entry.TimestampMs);
            writer.WriteInt32(entry.Batch.Writer);
            writer.WriteInt64(entry.Batch.CommittedMs);
            writer.WriteBytes(entry.Values.Span);
        }
    }

    public static void ReadBlock(string sensorId, byte[] block, List<StoredEntry> into)
    {
        var reader = new Reader(block);
        CheckVersion(ref reader);
        var count = reader.ReadCount();
        for (var i = 0; i < count; i++)
        {
            var ts = reader.ReadInt64();
            var batch = new HistoryBatch(reader.ReadInt32(), reader.ReadInt64());
            var valuesStart = reader.Position;
            reader.Skip(reader.ReadCount());
            into.Add(new StoredEntry(sensorId, ts, batch, block.AsMemory(valuesStart, reader.Position - valuesStart)));
        }
    }

    /// <summary>Values as a block or an appended row holds them, length first.</summary>
    public static ReadOnlyMemory<byte> EncodeValues(Dictionary<string, double> values)
    {
        var size = ValuesSize(values);
        var encoded = new byte[CountSize(size) + size];
        new Writer(encoded).WriteValues(values, size);
        return encoded;
    }

    public static Dictionary<string, double> DecodeValues(ReadOnlySpan<byte> encoded, Utf8NameCache keys)
    {
        var reader = new Reader(encoded);
        reader.ReadCount();
        var count = reader.ReadCount();
        var values = new Dictionary<string, double>(count);
        for (var i = 0; i < count; i++)
        {
            var name = keys.Get(reader.ReadStringBytes());
            values[name] = reader.ReadDouble();
        }
        return values;
    }

    private static void CheckVersion(ref Reader reader)
    {
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"History row of format {version}; this build reads format {Version}.");
        }
    }

    private static int CountSize(int value)
    {
        var size = 1;
        for (var remaining = (uint)value; remaining >= 0x80; remaining >>= 7)
        {
            size++;
        }
        return size;
    }

    private static int StringSize(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        return CountSize(length) + length;
    }

    private static int ValuesSize(Dictionary<string, double> values)
    {
        var size = CountSize(values.Count);
        // Over the pairs, not .Keys: the key collection is an object of its own, made on every reading's first use.
        foreach (var (name, _) in values)
        {
            size += StringSize(name) + 8;
        }
        return size;
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _position;

        public void WriteByte(byte value) => _buffer[_position++] = value;

        public void WriteCount(int value)
        {
            var remaining = (uint)value;
            while (remaining >= 0x80)
            {
                _buffer[_position++] = (byte)(remaining | 0x80);
                remaining >>= 7;
            }
            _buffer[_position++] = (byte)remaining;
        }

        public void WriteString(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            WriteCount(length);
            _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
        }

        public void WriteInt64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer[_position..], value);
            _position += 8;
        }

        public void WriteInt32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer[_position..], value);
            _position += 4;
        }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[_position..]);
            _position += bytes.Length;
        }

        /// <summary>Values with their byte length first; <paramref name="size"/> is <see cref="ValuesSize"/> of them.</summary>
        public void WriteValues(Dictionary<string, double> values, int size)
        {
            WriteCount(size);
            WriteCount(values.Count);
            foreach (var (name, value) in values)
            {
                WriteString(name);
                BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
                _position += 8;
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public byte ReadByte() => _data[Position++];

        public int ReadCount()
        {
            var value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var next = _data[Position++];
                value |= (next & 0x7F) << shift;
                if (next < 0x80)
                {
                    return value;
                }
            }
            throw new InvalidDataException("Malformed length in a history row.");
        }

        public ReadOnlySpan<byte> ReadStringBytes()
        {
            var length = ReadCount();
            var start = Position;
            Position += length;
            return _data.Slice(start, length);
        }

        public long ReadInt64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_data[Position..]);
            Position += 8;
            return value;
        }

        public int ReadInt32()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(_data[Position..]);
            Position += 4;
            return value;
        }

        public double ReadDouble()
        {
            var value = BinaryPrimitives.ReadDoubleLittleEndian(_data[Position..]);
            Position += 8;
            return value;
        }

        public void Skip(int length) => Position += length;
    }
}
