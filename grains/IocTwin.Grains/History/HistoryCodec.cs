using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using IocTwin.Model;

namespace IocTwin.History;

/// <summary>A stored reading as read back from a history row, its values still encoded.</summary>
public readonly record struct StoredEntry(string SensorId, long TimestampMs, HistoryBatch Batch, ReadOnlyMemory<byte> Values)
{
    public HistoryReading ToReading(HistoryCodec.KeyCache keys) =>
        new(SensorId, DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs), HistoryCodec.DecodeValues(Values.Span, keys), Batch);
}

/// <summary>
/// The binary layout of readings in history rows. An appended row holds the batches of one commit, for many sensors:
/// <c>[version][batch count]</c>, then per batch <c>[commit ms][entry count]</c> and entries of
/// <c>[sensor id][timestamp ms][values]</c>. A block holds one sensor's readings of many commits: <c>[version][count]</c>,
/// then entries of <c>[timestamp ms][writer][commit ms][values]</c>. Values are <c>[byte length][count]</c> and
/// <c>[name][double]</c> pairs, so moving a reading from a batch into a block copies its values without decoding them.
/// Integers are little-endian; counts, lengths and strings are 7-bit length-prefixed as in <see cref="BinaryWriter"/>.
/// </summary>
public static class HistoryCodec
{
    private const byte Version = 1;

    /// <summary>Entries of one append: encoded by the caller, before the commit that gives them their batch key.</summary>
    public static byte[] EncodeEntries(IReadOnlyList<(string SensorId, Reading Reading)> readings)
    {
        var buffer = new ArrayBufferWriter<byte>(readings.Count * 48);
        var values = new ArrayBufferWriter<byte>(64);
        foreach (var (sensorId, reading) in readings)
        {
            WriteString(buffer, sensorId);
            WriteInt64(buffer, reading.Timestamp.ToUnixTimeMilliseconds());
            WriteValues(buffer, reading.Values, values);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Values as a block or an appended row holds them, length first.</summary>
    public static ReadOnlyMemory<byte> EncodeValues(Dictionary<string, double> values)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        WriteValues(buffer, values, new ArrayBufferWriter<byte>(64));
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValues(IBufferWriter<byte> buffer, Dictionary<string, double> values, ArrayBufferWriter<byte> scratch)
    {
        scratch.ResetWrittenCount();
        WriteCount(scratch, values.Count);
        foreach (var (name, value) in values)
        {
            WriteString(scratch, name);
            WriteDouble(scratch, value);
        }
        WriteCount(buffer, scratch.WrittenCount);
        buffer.Write(scratch.WrittenSpan);
    }

    /// <summary>One appended row: the batches of one commit, each with its commit time.</summary>
    public static byte[] EncodeAppended(IReadOnlyList<(long CommittedMs, int Count, byte[] Entries)> batches)
    {
        var buffer = new ArrayBufferWriter<byte>(batches.Sum(b => b.Entries.Length + 16) + 8);
        buffer.Write([Version]);
        WriteCount(buffer, batches.Count);
        foreach (var (committedMs, count, entries) in batches)
        {
            WriteInt64(buffer, committedMs);
            WriteCount(buffer, count);
            buffer.Write(entries);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The entries of an appended row, in the order they were appended; with <paramref name="sensorId"/>, only that
    /// sensor's (others are skipped without decoding), and with <paramref name="committedAfterMs"/> only later batches.
    /// </summary>
    public static void ReadAppended(byte[] row, int writer, List<StoredEntry> into, string? sensorId = null, long committedAfterMs = long.MinValue)
    {
        var wanted = sensorId is null ? null : Encoding.UTF8.GetBytes(sensorId);
        var reader = new Reader(row);
        CheckVersion(ref reader);
        var batches = reader.ReadCount();
        for (var b = 0; b < batches; b++)
        {
            var batch = new HistoryBatch(writer, reader.ReadInt64());
            var count = reader.ReadCount();
            for (var i = 0; i < count; i++)
            {
                var id = reader.ReadStringBytes(out var idStart);
                var ts = reader.ReadInt64();
                var valuesStart = reader.Position;
                reader.Skip(reader.ReadCount());
                if (batch.CommittedMs <= committedAfterMs || (wanted is not null && !id.SequenceEqual(wanted)))
                {
                    continue;
                }
                into.Add(new StoredEntry(sensorId ?? Encoding.UTF8.GetString(row, idStart, id.Length), ts, batch,
                    row.AsMemory(valuesStart, reader.Position - valuesStart)));
            }
        }
    }

    /// <summary>One sensor's readings as a block row.</summary>
    public static byte[] EncodeBlock(IReadOnlyList<StoredEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(entries.Sum(e => e.Values.Length + 20) + 8);
        buffer.Write([Version]);
        WriteCount(buffer, entries.Count);
        foreach (var entry in entries)
        {
            WriteInt64(buffer, entry.TimestampMs);
            WriteInt32(buffer, entry.Batch.Writer);
            WriteInt64(buffer, entry.Batch.CommittedMs);
            buffer.Write(entry.Values.Span);
        }
        return buffer.WrittenSpan.ToArray();
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

    /// <summary>Value names seen while decoding: a city has a handful, so each is allocated once per query, not per value.</summary>
    public sealed class KeyCache
    {
        private readonly List<(byte[] Utf8, string Name)> _names = [];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            foreach (var (bytes, name) in _names)
            {
                if (utf8.SequenceEqual(bytes))
                {
                    return name;
                }
            }
            var added = Encoding.UTF8.GetString(utf8);
            if (_names.Count < 64)
            {
                _names.Add((utf8.ToArray(), added));
            }
            return added;
        }
    }

    public static Dictionary<string, double> DecodeValues(ReadOnlySpan<byte> encoded, KeyCache keys)
    {
        var reader = new Reader(encoded);
        reader.ReadCount();
        var count = reader.ReadCount();
        var values = new Dictionary<string, double>(count);
        for (var i = 0; i < count; i++)
        {
            var name = keys.Get(reader.ReadStringBytes(out _));
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

    private static void WriteCount(IBufferWriter<byte> buffer, int value)
    {
        var span = buffer.GetSpan(5);
        var length = 0;
        var remaining = (uint)value;
        while (remaining >= 0x80)
        {
            span[length++] = (byte)(remaining | 0x80);
            remaining >>= 7;
        }
        span[length++] = (byte)remaining;
        buffer.Advance(length);
    }

    private static void WriteString(IBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteCount(buffer, length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void WriteInt64(IBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteInt32(IBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteDouble(IBufferWriter<byte> buffer, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
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

        public ReadOnlySpan<byte> ReadStringBytes(out int start)
        {
            var length = ReadCount();
            start = Position;
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
