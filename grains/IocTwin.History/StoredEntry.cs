using IocTwin.Model;

namespace IocTwin.History;

/// <summary>A stored reading as read back from a history row, its values still encoded.</summary>
public readonly record struct StoredEntry(string SensorId, long TimestampMs, HistoryBatch Batch, ReadOnlyMemory<byte> Values)
{
    public HistoryReading ToReading(Utf8NameCache keys) =>
        new(SensorId, DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs), HistoryCodec.DecodeValues(Values.Span, keys), Batch);
}
