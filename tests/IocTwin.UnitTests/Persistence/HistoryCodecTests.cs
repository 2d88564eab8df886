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
            ("cảm-biến-Hải-Châu-1", new Reading(T0, new Dictionary<string, double>() { ["mực_nước"] = 1.25, ["aqi"] = double.MaxValue })),
            ("s2", new Reading(T0.AddMilliseconds(1), new Dictionary<string, double>() { ["speed"] = -3.5 })),
            ("cảm-biến-Hải-Châu-1", new Reading(T0.AddSeconds(-10), [])),
        ]);

        using var bySensor = new EntriesBySensor();
        HistoryCodec.ReadBatch(row, new HistoryBatch(42, 1000), bySensor);
        var keys = new Utf8NameCache();
        Assert.Equal(3, bySensor.Count);
        Assert.Equal(["cảm-biến-Hải-Châu-1", "s2"], bySensor.SensorIds);
        var bridge = bySensor.Of("cảm-biến-Hải-Châu-1").ToArray();
        Assert.Equal([T0.ToUnixTimeMilliseconds(), T0.AddSeconds(-10).ToUnixTimeMilliseconds()], bridge.Select(e => e.TimestampMs));
        Assert.All([.. bridge, .. bySensor.Of("s2")], e => Assert.Equal(new HistoryBatch(42, 1000), e.Batch));
        Assert.Equal(new Dictionary<string, double> { ["mực_nước"] = 1.25, ["aqi"] = double.MaxValue }, bridge[0].ToReading(keys).Values);
        Assert.Empty(bridge[1].ToReading(keys).Values);
        Assert.Equal(T0.AddMilliseconds(1), bySensor.Of("s2")[0].ToReading(keys).Timestamp);
        Assert.True(bySensor.Of("no-such-sensor").IsEmpty);

        using var later = new EntriesBySensor();
        HistoryCodec.ReadBatch(HistoryCodec.EncodeBatch([("s2", new Reading(T0.AddSeconds(5), new Dictionary<string, double>() { ["speed"] = 12 }))]), new HistoryBatch(7, 2000), later);
        var block = HistoryCodec.EncodeBlock([.. bySensor.Of("s2"), .. later.Of("s2")]);
        var fromBlock = new List<StoredEntry>();
        HistoryCodec.ReadBlock("s2", block, fromBlock);
        Assert.Equal([new HistoryBatch(42, 1000), new HistoryBatch(7, 2000)], fromBlock.Select(e => e.Batch));
        Assert.Equal([-3.5, 12], fromBlock.Select(e => e.ToReading(keys).Values["speed"]));
        Assert.Equal([T0.AddMilliseconds(1), T0.AddSeconds(5)], fromBlock.Select(e => e.ToReading(keys).Timestamp));
    }

    [Fact]
    public void Interleaved_rows_of_many_sensors_come_back_per_sensor_in_the_order_they_were_read()
    {
        using var bySensor = new EntriesBySensor(capacity: 4);
        for (var batch = 0; batch < 50; batch++)
        {
            var row = HistoryCodec.EncodeBatch([.. Enumerable.Range(0, 7).Select(s => ($"s{(s + batch) % 7}", new Reading(T0.AddSeconds(batch), new Dictionary<string, double>() { ["v"] = batch })))]);
            HistoryCodec.ReadBatch(row, new HistoryBatch(1, 1000 + batch), bySensor);
        }

        Assert.Equal(350, bySensor.Count);
        Assert.Equal(7, bySensor.SensorIds.Count);
        foreach (var sensorId in bySensor.SensorIds)
        {
            var entries = bySensor.Of(sensorId).ToArray();
            Assert.All(entries, e => Assert.Equal(sensorId, e.SensorId));
            Assert.Equal(Enumerable.Range(0, 50).Select(b => 1000L + b), entries.Select(e => e.Batch.CommittedMs));
        }

        // Read, then added to: the next read sees the new entry too.
        bySensor.Add(new StoredEntry("s3", 1, new HistoryBatch(2, 5000), ReadOnlyMemory<byte>.Empty));
        Assert.Equal(5000, bySensor.Of("s3")[^1].Batch.CommittedMs);
        Assert.Equal(51, bySensor.Of("s3").Length);

        // Sealed to be kept: the same entries, nothing more can come.
        bySensor.Seal();
        Assert.Equal(51, bySensor.Of("s3").Length);
        Assert.Equal(Enumerable.Range(0, 50).Select(b => 1000L + b), bySensor.Of("s0").ToArray().Select(e => e.Batch.CommittedMs));
        Assert.Throws<InvalidOperationException>(() => bySensor.Add(new StoredEntry("s0", 1, new HistoryBatch(2, 6000), ReadOnlyMemory<byte>.Empty)));
    }

    [Fact]
    public void A_row_of_an_unknown_format_is_refused_not_misread()
    {
        var row = HistoryCodec.EncodeBatch([("s", new Reading(T0, new Dictionary<string, double>() { ["v"] = 1 }))]);
        row[0] = 9;
        Assert.Throws<InvalidDataException>(() => HistoryCodec.ReadBatch(row, new HistoryBatch(1, 1), new EntriesBySensor()));
    }
}
