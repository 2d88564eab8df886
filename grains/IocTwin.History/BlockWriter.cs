using System.Buffers;
using System.Data.Common;
using NpgsqlTypes;

namespace IocTwin.History;

/// <summary>One sensor's readings from one move, as a row of twin_reading_block holds them.</summary>
internal sealed record Block(string SensorId, long FirstTs, long LastTs, long LastReceived, int Count, ReadOnlyMemory<byte> Readings);

/// <summary>Entries grouped by sensor, made into blocks and inserted: by the mover and by the legacy-table migration.</summary>
internal static class BlockWriter
{
    private static readonly BulkColumn[] Columns =
    [
        new("sensor_id", NpgsqlDbType.Text), new("first_ts", NpgsqlDbType.Bigint),
        new("last_ts", NpgsqlDbType.Bigint), new("last_received", NpgsqlDbType.Bigint),
        new("count", NpgsqlDbType.Integer), new("readings", NpgsqlDbType.Bytea),
    ];

    /// <summary>One block per sensor, in sensor order so that the index pages their inserts touch are neighbours.</summary>
    public static List<Block> ToBlocks(EntriesBySensor entries, out byte[] encoded)
    {
        var sensorIds = entries.SensorIds.ToArray();
        var slots = new int[sensorIds.Length];
        var sizes = new int[sensorIds.Length];
        var total = 0;
        for (var slot = 0; slot < slots.Length; slot++)
        {
            slots[slot] = slot;
            total += sizes[slot] = HistoryCodec.BlockSize(entries.OfSlot(slot));
        }
        Array.Sort(sensorIds, slots, StringComparer.Ordinal);
        // All blocks in one pooled buffer, given back by the caller once they are written.
        encoded = ArrayPool<byte>.Shared.Rent(Math.Max(1, total));
        var blocks = new List<Block>(sensorIds.Length);
        var offset = 0;
        for (var i = 0; i < sensorIds.Length; i++)
        {
            var run = entries.OfSlot(slots[i]);
            long first = long.MaxValue, last = long.MinValue, lastReceived = long.MinValue;
            foreach (ref readonly var entry in run)
            {
                first = Math.Min(first, entry.TimestampMs);
                last = Math.Max(last, entry.TimestampMs);
                lastReceived = Math.Max(lastReceived, entry.Batch.CommittedMs);
            }
            var size = sizes[slots[i]];
            HistoryCodec.EncodeBlock(run, encoded.AsSpan(offset, size));
            blocks.Add(new Block(sensorIds[i], first, last, lastReceived, run.Length, encoded.AsMemory(offset, size)));
            offset += size;
        }
        return blocks;
    }

    /// <summary>Blocks inserted in the connection's open transaction.</summary>
    public static Task InsertAsync(DbConnection connection, List<Block> blocks, CancellationToken cancellationToken) =>
        BulkInsert.RowsAsync(connection, "twin_reading_block", Columns, blocks.Select(b => new object[]
        {
            b.SensorId, b.FirstTs, b.LastTs, b.LastReceived, b.Count, b.Readings,
        }), cancellationToken);
}
