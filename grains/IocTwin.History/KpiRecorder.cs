using Microsoft.Extensions.Logging;
using NpgsqlTypes;

namespace IocTwin.History;

/// <summary>
/// KPI history: the latest value of each KPI per <see cref="Resolution"/> step, written once per step off the caller's
/// path. A busy city changes its segments' KPIs with every reading; a step is finer than any query asks for.
/// </summary>
internal sealed class KpiRecorder(HistoryDb db, ILogger logger)
{
    /// <summary>KPI history keeps the latest value of each KPI per this step, written once per step.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(5);
    private const int SliceRows = 2_000;
    private static readonly BulkColumn[] Columns =
    [
        new("entity_id", NpgsqlDbType.Text), new("ts", NpgsqlDbType.Bigint),
        new("name", NpgsqlDbType.Text), new("value", NpgsqlDbType.Double),
    ];
    // The latest value of each KPI per resolution step, until the next write: bounded by the city's size, not by how
    // often its KPIs change. Two maps taken in turn and emptied after their write, so that a step fills one already
    // sized for the city instead of growing a new one (on a city of 20,000 segments the resizes were a twentieth of
    // everything the silo allocated).
    private Dictionary<(string Entity, string Name, long Step), KpiPoint> _kpis = [];
    private Dictionary<(string Entity, string Name, long Step), KpiPoint> _written = [];
    private readonly Lock _gate = new();

    public void Record(IEnumerable<KpiPoint> points)
    {
        var resolutionMs = (long)Resolution.TotalMilliseconds;
        lock (_gate)
        {
            foreach (var point in points)
            {
                _kpis[(point.EntityId, point.Name, point.Time.ToUnixTimeMilliseconds() / resolutionMs)] = point;
            }
        }
    }

    /// <summary>Writes what was recorded once per step until stopped, then once more.</summary>
    public async Task WriteEveryStepAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Resolution, stopping);
            }
            catch (OperationCanceledException)
            {
            }
            Dictionary<(string, string, long), KpiPoint> batch;
            lock (_gate)
            {
                if (_kpis.Count == 0)
                {
                    continue;
                }
                batch = _kpis;
                _kpis = _written;
            }
            try
            {
                // In slices, each its own transaction: readings waiting for their acknowledgement take turns with
                // the slices instead of waiting for all of a busy city's KPIs.
                foreach (var slice in batch.Values.Chunk(SliceRows))
                {
                    await WriteAsync(slice);
                }
            }
            catch (Exception ex)
            {
                // KPI history is a record of the past, not an acknowledgement: a lost batch is logged, not retried.
                logger.LogWarning(ex, "Could not store {Rows} KPI points", batch.Count);
            }
            // Emptied, keeping its capacity, to be filled after the next swap (only this loop swaps); one that held a
            // backlog (steps the database did not take) shrinks back once a step holds less than half of it.
            var written = batch.Count;
            batch.Clear();
            if (batch.Capacity > 2 * written)
            {
                batch.TrimExcess(written);
            }
            _written = batch;
        }
    }

    private Task WriteAsync(IEnumerable<KpiPoint> points) =>
        db.WriteTransactionAsync(async (connection, _) =>
        {
            await BulkInsert.RowsAsync(connection, "twin_kpi", Columns, points.Select(p => new object[]
            {
                p.EntityId, p.Time.ToUnixTimeMilliseconds(), p.Name, p.Value,
            }), CancellationToken.None);
            return true;
        }, CancellationToken.None);
}
