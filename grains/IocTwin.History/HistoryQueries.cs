using System.Data.Common;
using IocTwin.Domain;

namespace IocTwin.History;

/// <summary>
/// The queries of history: readings by sensor and window, KPIs by entity and window, the city as of a time, and what a
/// sensor grain catches up on. Readings are read from blocks and appended rows together, in one snapshot.
/// </summary>
internal sealed class HistoryQueries(HistoryDb db, AppendedRows appended)
{
    /// <summary>How many readings history holds.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = HistoryDb.Command(connection,
            "SELECT (SELECT coalesce(sum(count), 0) FROM twin_reading_block) + (SELECT coalesce(sum(count), 0) FROM twin_reading_appended)");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    public async Task<IReadOnlyList<HistoryBucket>> ReadingsAsync(
        string sensorId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken)
    {
        var stepMs = Math.Max(1, (long)step.TotalMilliseconds);
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var entries = await db.ReadSnapshotAsync(async (connection, transaction) =>
        {
            var found = new List<StoredEntry>();
            await ReadBlocksAsync(connection, transaction,
                "SELECT sensor_id, readings FROM twin_reading_block WHERE sensor_id = @sensor AND last_ts >= @from AND first_ts < @to",
                found, cancellationToken, ("sensor", sensorId), ("from", fromMs), ("to", toMs));
            await appended.ReadAsync(connection, transaction, found, cancellationToken, sensorId);
            return found;
        }, cancellationToken);

        var keys = new Utf8NameCache();
        var buckets = new SortedDictionary<long, SortedDictionary<string, (double Sum, double Min, double Max, long Count)>>();
        foreach (var entry in entries)
        {
            if (entry.TimestampMs < fromMs || entry.TimestampMs >= toMs)
            {
                continue;
            }
            var time = entry.TimestampMs / stepMs * stepMs;
            if (!buckets.TryGetValue(time, out var bucket))
            {
                buckets[time] = bucket = new(StringComparer.Ordinal);
            }
            foreach (var (name, value) in HistoryCodec.DecodeValues(entry.Values.Span, keys))
            {
                if (!ReadingRanges.Allows(name, value))
                {
                    continue; // stored before value ranges were enforced
                }
                bucket[name] = bucket.TryGetValue(name, out var stats)
                    ? (stats.Sum + value, Math.Min(stats.Min, value), Math.Max(stats.Max, value), stats.Count + 1)
                    : (value, value, value, 1);
            }
        }
        return [.. buckets.Select(b => new HistoryBucket(DateTimeOffset.FromUnixTimeMilliseconds(b.Key),
            b.Value.ToDictionary(v => v.Key, v => new ValueStats(v.Value.Sum / v.Value.Count, v.Value.Min, v.Value.Max, v.Value.Count))))];
    }

    public async Task<IReadOnlyList<HistoryBucket>> KpisAsync(
        string entityId, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken)
    {
        // The value bounds skip non-finite KPIs written before readings were range-checked (PostgreSQL orders NaN
        // above every number); a migration deletes them once, and nothing writes them now.
        const string sql = """
            SELECT (ts / @step) * @step AS bucket, name, avg(value), min(value), max(value), count(*)
            FROM twin_kpi
            WHERE entity_id = @entity AND ts >= @from AND ts < @to AND value > -1e300 AND value < 1e300
            GROUP BY bucket, name ORDER BY bucket, name
            """;
        var buckets = new List<HistoryBucket>();
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = HistoryDb.Command(connection, sql, ("step", Math.Max(1, (long)step.TotalMilliseconds)), ("entity", entityId),
            ("from", from.ToUnixTimeMilliseconds()), ("to", to.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0));
            if (buckets.Count == 0 || buckets[^1].Time != time)
            {
                buckets.Add(new HistoryBucket(time, []));
            }
            buckets[^1].Values[reader.GetString(1)] =
                new ValueStats(reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetInt64(5));
        }
        return buckets;
    }

    public async Task<Dictionary<string, HistoryReading>> LatestAtAsync(DateTimeOffset time, HistorySeries? only, CancellationToken cancellationToken)
    {
        var atMs = time.ToUnixTimeMilliseconds();
        var conditions = only?.Conditions().ToList() ?? [("1 = 1", [])];
        var entries = await db.ReadSnapshotAsync(async (connection, transaction) =>
        {
            var found = new List<StoredEntry>();
            foreach (var (condition, parameters) in conditions)
            {
                (string, object)[] withTime = [("at", atMs), .. parameters];
                // Per sensor, the block whose last reading is the newest at or before the time, and blocks spanning the
                // time (their newest reading before it may be newer still).
                await ReadBlocksAsync(connection, transaction, $"""
                    SELECT b.sensor_id, b.readings FROM twin_reading_block b
                    JOIN (SELECT sensor_id, max(last_ts) AS last_ts FROM twin_reading_block WHERE last_ts <= @at AND {condition} GROUP BY sensor_id) latest
                      ON latest.sensor_id = b.sensor_id AND latest.last_ts = b.last_ts
                    """, found, cancellationToken, withTime);
                await ReadBlocksAsync(connection, transaction,
                    $"SELECT sensor_id, readings FROM twin_reading_block WHERE first_ts <= @at AND last_ts > @at AND {condition}",
                    found, cancellationToken, withTime);
            }
            if (conditions.Count > 0)
            {
                await appended.ReadAsync(connection, transaction, found, cancellationToken);
            }
            return found;
        }, cancellationToken);

        var newest = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Two readings of one sensor at the same instant: the later received wins, as it did live.
            if (entry.TimestampMs <= atMs && (only is null || only.Contains(entry.SensorId)) && (!newest.TryGetValue(entry.SensorId, out var other)
                || (entry.TimestampMs, entry.Batch.CommittedMs).CompareTo((other.TimestampMs, other.Batch.CommittedMs)) >= 0))
            {
                newest[entry.SensorId] = entry;
            }
        }
        var keys = new Utf8NameCache();
        return newest.ToDictionary(p => p.Key, p => p.Value.ToReading(keys));
    }

    /// <summary>
    /// For each sensor asked about, its readings in batches committed after its time, oldest batch first: what
    /// activating grains catch up on. One snapshot for them all: the appended rows are listed once, and the blocks of
    /// many sensors are read by one statement per <see cref="SensorsPerStatement"/>.
    /// </summary>
    public async Task<Dictionary<string, List<HistoryReading>>> CommittedAfterAsync(
        IReadOnlyDictionary<string, long> committedAfterMs, CancellationToken cancellationToken)
    {
        var after = committedAfterMs.Values.Min();
        var entries = await db.ReadSnapshotAsync(async (connection, transaction) =>
        {
            var found = new List<StoredEntry>();
            foreach (var sensors in committedAfterMs.Keys.Chunk(SensorsPerStatement))
            {
                // Each sensor bounded by its own time: one sensor never written (time 0) or long offline must not make
                // the statement read the whole history of every other sensor in the group.
                var terms = string.Join(" OR ", sensors.Select((_, i) => $"(sensor_id = @s{i} AND last_received > @a{i})"));
                (string, object)[] parameters =
                [
                    .. sensors.Select((id, i) => ($"s{i}", (object)id)),
                    .. sensors.Select((id, i) => ($"a{i}", (object)committedAfterMs[id])),
                ];
                await ReadBlocksAsync(connection, transaction,
                    $"SELECT sensor_id, readings FROM twin_reading_block WHERE {terms}", found, cancellationToken, parameters);
            }
            await appended.ReadAsync(connection, transaction, found, cancellationToken,
                committedAfterMs.Keys.ToHashSet(StringComparer.Ordinal), after);
            return found;
        }, cancellationToken);
        var keys = new Utf8NameCache();
        var bySensor = committedAfterMs.Keys.ToDictionary(id => id, _ => new List<HistoryReading>(), StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Batch.CommittedMs).ThenBy(e => e.Batch.Writer))
        {
            if (entry.Batch.CommittedMs > committedAfterMs[entry.SensorId])
            {
                bySensor[entry.SensorId].Add(entry.ToReading(keys));
            }
        }
        return bySensor;
    }

    /// <summary>Sensors whose blocks one statement reads (two parameters each): well under SQLite's limit on parameters.</summary>
    private const int SensorsPerStatement = 500;

    /// <summary>Entries of the blocks a query selects as (sensor_id, readings).</summary>
    private static async Task ReadBlocksAsync(DbConnection connection, DbTransaction transaction, string sql, List<StoredEntry> into,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = HistoryDb.Command(connection, sql, parameters);
        command.Transaction = transaction;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            HistoryCodec.ReadBlock(reader.GetString(0), (byte[])reader.GetValue(1), into);
        }
    }
}
