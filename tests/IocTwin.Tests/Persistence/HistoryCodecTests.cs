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
        var row = HistoryCodec.EncodeBatch([
            ("cảm-biến-Hải-Châu-1", new Reading(T0, new() { ["mực_nước"] = 1.25, ["aqi"] = double.MaxValue })),
            ("s2", new Reading(T0.AddMilliseconds(1), new() { ["speed"] = -3.5 })),
            ("cảm-biến-Hải-Châu-1", new Reading(T0.AddSeconds(-10), [])),
        ]);

        var bySensor = new EntriesBySensor();
        HistoryCodec.ReadBatch(row, new HistoryBatch(42, 1000), bySensor);
        var keys = new Utf8NameCache();
        Assert.Equal(3, bySensor.Count);
        Assert.Equal(["cảm-biến-Hải-Châu-1", "s2"], bySensor.Sensors.Keys.Order(StringComparer.Ordinal));
        var bridge = bySensor.Sensors["cảm-biến-Hải-Châu-1"];
        Assert.Equal([T0.ToUnixTimeMilliseconds(), T0.AddSeconds(-10).ToUnixTimeMilliseconds()], bridge.Select(e => e.TimestampMs));
        Assert.All(bySensor.Sensors.Values.SelectMany(list => list), e => Assert.Equal(new HistoryBatch(42, 1000), e.Batch));
        Assert.Equal(new Dictionary<string, double> { ["mực_nước"] = 1.25, ["aqi"] = double.MaxValue }, bridge[0].ToReading(keys).Values);
        Assert.Empty(bridge[1].ToReading(keys).Values);
        Assert.Equal(T0.AddMilliseconds(1), bySensor.Sensors["s2"][0].ToReading(keys).Timestamp);

        var later = new EntriesBySensor();
        HistoryCodec.ReadBatch(HistoryCodec.EncodeBatch([("s2", new Reading(T0.AddSeconds(5), new() { ["speed"] = 12 }))]), new HistoryBatch(7, 2000), later);
        var block = HistoryCodec.EncodeBlock([.. bySensor.Sensors["s2"], .. later.Sensors["s2"]]);
        var fromBlock = new List<StoredEntry>();
        HistoryCodec.ReadBlock("s2", block, fromBlock);
        Assert.Equal([new HistoryBatch(42, 1000), new HistoryBatch(7, 2000)], fromBlock.Select(e => e.Batch));
        Assert.Equal([-3.5, 12], fromBlock.Select(e => e.ToReading(keys).Values["speed"]));
        Assert.Equal([T0.AddMilliseconds(1), T0.AddSeconds(5)], fromBlock.Select(e => e.ToReading(keys).Timestamp));
    }

    [Fact]
    public void A_row_of_an_unknown_format_is_refused_not_misread()
    {
        var row = HistoryCodec.EncodeBatch([("s", new Reading(T0, new() { ["v"] = 1 }))]);
        row[0] = 9;
        Assert.Throws<InvalidDataException>(() => HistoryCodec.ReadBatch(row, new HistoryBatch(1, 1), new EntriesBySensor()));
    }
}
