using IocTwin.Model;
using IocTwin.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IocTwin.History;

/// <summary>
/// Every acknowledged reading, in the twin's history database; the process's one store, started and stopped with the
/// host. Appends are group-committed (<see cref="AppendCommitter"/>); the rows appended are moved into per-sensor
/// blocks (<see cref="BlockMover"/>), which the queries by sensor use; queries read both, in one snapshot
/// (<see cref="HistoryQueries"/>); KPI changes are written once per step (<see cref="KpiRecorder"/>). The schema,
/// with the move of an earlier version's table, is applied by the schema installer before the store starts.
/// </summary>
public sealed class ReadingHistory : BackgroundService, IReadingHistory
{
    private readonly HistoryDb _db;
    private readonly AppendCommitter _committer;
    private readonly BlockMover _mover;
    private readonly KpiRecorder _kpis;
    private readonly HistoryQueries _queries;
    private readonly CatchUpReads _catchUps;
    private readonly CancellationTokenSource _stopping = new();

    public ReadingHistory(HistoryDatabase database, ILogger<ReadingHistory> logger, TimeSpan? orphanAge = null, TimeSpan? moveInterval = null)
    {
        _db = new HistoryDb(database);
        // Identifies this process's batches: commit times increase per writer, not across processes.
        var writer = Random.Shared.Next(1, int.MaxValue);
        var appended = new AppendedRows();
        _mover = new BlockMover(_db, writer, appended, logger, orphanAge, moveInterval);
        _committer = new AppendCommitter(_db, writer, _mover, logger);
        _kpis = new KpiRecorder(_db, logger);
        _queries = new HistoryQueries(_db, appended);
        _catchUps = new CatchUpReads(_queries);
    }

    public Task<HistoryBatch> AppendAsync(IReadOnlyList<(string SensorId, Reading Reading)> readings, CancellationToken cancellationToken = default) =>
        _committer.AppendAsync(readings, cancellationToken);

    public void RecordKpis(IEnumerable<KpiPoint> points) => _kpis.Record(points);

    public Task<IReadOnlyList<HistoryBucket>> QueryAsync(
        string sensorId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default) =>
        _queries.ReadingsAsync(sensorId, from, to, step, cancellationToken);

    public Task<IReadOnlyList<HistoryBucket>> QueryKpisAsync(
        string entityId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken = default) =>
        _queries.KpisAsync(entityId, from, to, step, cancellationToken);

    public Task<Dictionary<string, HistoryReading>> LatestAtAsync(DateTimeOffset time, HistorySeries? only = null,
        CancellationToken cancellationToken = default) =>
        _queries.LatestAtAsync(time, only, cancellationToken);

    public Task<List<HistoryReading>> CommittedAfterAsync(string sensorId, long committedAfterMs, CancellationToken cancellationToken = default) =>
        _catchUps.CommittedAfterAsync(sensorId, committedAfterMs, cancellationToken);

    /// <summary>How many readings history holds.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken = default) => _queries.CountAsync(cancellationToken);

    /// <summary>
    /// Moves what this process appended, and rows other processes left longer than the orphan age, into per-sensor
    /// blocks now; returns how many readings moved. The background pass does this when due (<see cref="BlockMover"/>).
    /// </summary>
    public Task<int> MoveToBlocksAsync(CancellationToken cancellationToken = default) => _mover.MoveToBlocksAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var kpis = _kpis.WriteEveryStepAsync(_stopping.Token);
        var moves = _mover.MoveEveryIntervalAsync(_stopping.Token);
        await _committer.CommitAllAsync(stoppingToken);
        await kpis;
        await moves;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Store what was handed over before stopping: it may have been acknowledged already.
        _committer.Complete();
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _db.Dispose();
        base.Dispose();
    }
}
