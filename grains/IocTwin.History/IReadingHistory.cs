using IocTwin.Model;

namespace IocTwin.History;

/// <summary>
/// Every acknowledged reading and the KPIs of segments and districts, as the grains and the API use them: appends that
/// complete once durable, KPI changes recorded off the caller's path, and the queries.
/// </summary>
public interface IReadingHistory
{
    /// <summary>
    /// Stores readings; completes once they are durable, with the time they were committed (Unix ms, increasing
    /// within this process), which the sensor grains use to tell replayed readings from new ones.
    /// </summary>
    Task<HistoryBatch> AppendAsync(IReadOnlyList<(string SensorId, Reading Reading)> readings, CancellationToken cancellationToken = default);

    /// <summary>Queues KPI changes; they are written in batches off the caller's path.</summary>
    void RecordKpis(IEnumerable<KpiPoint> points);

    /// <summary>A sensor's readings downsampled to avg/min/max per step.</summary>
    Task<IReadOnlyList<HistoryBucket>> QueryAsync(string sensorId, DateTimeOffset from, DateTimeOffset to, TimeSpan step,
        CancellationToken cancellationToken = default);

    /// <summary>A segment's or district's KPIs downsampled to avg/min/max per step.</summary>
    Task<IReadOnlyList<HistoryBucket>> QueryKpisAsync(string entityId, DateTimeOffset from, DateTimeOffset to, TimeSpan step,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest reading of each sensor measured at or before a time: the twin as it was then. <paramref name="only"/>:
    /// the series to read (null: every one); a reader asking about some areas or the assets reads only those.
    /// </summary>
    Task<Dictionary<string, HistoryReading>> LatestAtAsync(DateTimeOffset time, HistorySeries? only = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A sensor's readings in batches committed after a time, oldest batch first: what a grain may have to catch up on.
    /// Sensors asking at the same time are read together, in one snapshot begun after each of them asked.
    /// </summary>
    Task<List<HistoryReading>> CommittedAfterAsync(string sensorId, long committedAfterMs, CancellationToken cancellationToken = default);
}
