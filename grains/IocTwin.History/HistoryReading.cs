using IocTwin.Model;

namespace IocTwin.History;

/// <summary>A reading as kept in history: when it was measured, and the batch it was stored in.</summary>
public sealed record HistoryReading(string SensorId, DateTimeOffset Timestamp, ReadingValues Values, HistoryBatch Batch)
{
    public long ReceivedMs => Batch.CommittedMs;
}
