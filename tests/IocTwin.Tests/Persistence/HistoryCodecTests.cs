using IocTwin.History;
using IocTwin.Model;

namespace IocTwin.Tests.Persistence;

/// <summary>The binary rows of reading history: what goes in comes back, through an appended row and a block.</summary>
public sealed class HistoryCodecTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public void Readings_come_back_from_an_appended_row_and_from_a_block()
    {
        var first = HistoryCodec.EncodeEntries([
            ("cảm-biến-Hải-Châu-1", new Reading(T0, new() { ["mực_nước"] = 1.25, ["aqi"] = double.MaxValue })),
            ("s2", new Reading(T0.AddMilliseconds(1), new() { ["speed"] = -3.5 })),
        ]);
        var second = HistoryCodec.EncodeEntries([("cảm-biến-Hải-Châu-1", new Reading(T0.AddSeconds(-10), []))]);
        var row = HistoryCodec.EncodeAppended([(1000, 2, first), (1001, 1, second)]);

        var all = new List<StoredEntry>();
        HistoryCodec.ReadAppended(row, 42, all);
        var keys = new HistoryCodec.KeyCache();
        Assert.Equal(["cảm-biến-Hải-Châu-1", "s2", "cảm-biến-Hải-Châu-1"], all.Select(e => e.SensorId));
        Assert.Equal([new HistoryBatch(42, 1000), new HistoryBatch(42, 1000), new HistoryBatch(42, 1001)], all.Select(e => e.Batch));
        Assert.Equal(new Dictionary<string, double> { ["mực_nước"] = 1.25, ["aqi"] = double.MaxValue }, all[0].ToReading(keys).Values);
        Assert.Equal(T0.AddMilliseconds(1), all[1].ToReading(keys).Timestamp);
        Assert.Empty(all[2].ToReading(keys).Values);

        var oneSensorLater = new List<StoredEntry>();
        HistoryCodec.ReadAppended(row, 42, oneSensorLater, "cảm-biến-Hải-Châu-1", committedAfterMs: 1000);
        Assert.Equal(T0.AddSeconds(-10).ToUnixTimeMilliseconds(), Assert.Single(oneSensorLater).TimestampMs);

        var block = HistoryCodec.EncodeBlock([all[0], all[2]]);
        var fromBlock = new List<StoredEntry>();
        HistoryCodec.ReadBlock("cảm-biến-Hải-Châu-1", block, fromBlock);
        Assert.Equal([all[0].TimestampMs, all[2].TimestampMs], fromBlock.Select(e => e.TimestampMs));
        Assert.Equal([all[0].Batch, all[2].Batch], fromBlock.Select(e => e.Batch));
        Assert.Equal(all[0].ToReading(keys).Values, fromBlock[0].ToReading(keys).Values);
    }

    [Fact]
    public void A_row_of_an_unknown_format_is_refused_not_misread()
    {
        var row = HistoryCodec.EncodeAppended([(1, 1, HistoryCodec.EncodeEntries([("s", new Reading(T0, new() { ["v"] = 1 }))]))]);
        row[0] = 9;
        Assert.Throws<InvalidDataException>(() => HistoryCodec.ReadAppended(row, 1, []));
    }
}
