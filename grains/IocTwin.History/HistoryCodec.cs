using System.Buffers.Binary;
using System.Text;
using IocTwin.Model;

namespace IocTwin.History;

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
    public static ReadOnlyMemory<byte> EncodeValues(ReadingValues values)
    {
        var size = ValuesSize(values);
        var encoded = new byte[CountSize(size) + size];
        new Writer(encoded).WriteValues(values, size);
        return encoded;
    }

    public static ReadingValues DecodeValues(ReadOnlySpan<byte> encoded, Utf8NameCache keys)
    {
        var reader = new Reader(encoded);
        reader.ReadCount();
        var count = reader.ReadCount();
        var values = new KeyValuePair<string, double>[count];
        for (var i = 0; i < count; i++)
        {
            var name = keys.Get(reader.ReadStringBytes());
            values[i] = new(name, reader.ReadDouble());
        }
        return ReadingValues.Create(values);
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

    private static int ValuesSize(ReadingValues values)
    {
        var size = CountSize(values.Count);
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
        public void WriteValues(ReadingValues values, int size)
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
