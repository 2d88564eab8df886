using System.Collections.Concurrent;
using System.Data.Common;
using IocTwin.Model;

namespace IocTwin.History;

/// <summary>
/// Appended rows not yet moved, as the queries read them. Each is parsed once, by sensor: grains activating together
/// all read the same few rows. Kept by row id, which is never reused; rows leave when moved (by this process, or seen
/// gone by a query).
/// </summary>
internal sealed class AppendedRows
{
    private readonly ConcurrentDictionary<long, EntriesBySensor> _parsed = new();

    /// <summary>Rows this process moved into blocks: no query will see them again.</summary>
    public void Forget(IEnumerable<long> ids)
    {
        foreach (var id in ids)
        {
            _parsed.TryRemove(id, out _);
        }
    }

    /// <summary>Entries of appended rows not yet moved, committed after a time; only one sensor's if given.</summary>
    public Task ReadAsync(DbConnection connection, DbTransaction transaction, List<StoredEntry> into,
        CancellationToken cancellationToken, string? sensorId = null, long committedAfterMs = long.MinValue) =>
        ReadAsync(connection, transaction, into, cancellationToken,
            sensorId is null ? null : new HashSet<string>(StringComparer.Ordinal) { sensorId }, committedAfterMs);

    /// <summary>Entries of appended rows not yet moved, committed after a time; only those sensors' if given.</summary>
    public async Task ReadAsync(DbConnection connection, DbTransaction transaction, List<StoredEntry> into,
        CancellationToken cancellationToken, IReadOnlySet<string>? sensorIds, long committedAfterMs)
    {
        var listed = new Dictionary<long, long>();
        await using (var command = HistoryDb.Command(connection, "SELECT id, received FROM twin_reading_appended"))
        {
            command.Transaction = transaction;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                listed[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }
        Forget(_parsed.Keys.Where(id => !listed.ContainsKey(id)));
        var wanted = listed.Where(row => row.Value > committedAfterMs).Select(row => row.Key).Order().ToList();
        // Held here, not looked up again at the end: a move committing meanwhile drops its rows from the cache, and
        // this snapshot still sees those rows, not the blocks they went into.
        var parsedRows = new Dictionary<long, EntriesBySensor>(wanted.Count);
        var missing = new HashSet<long>();
        foreach (var id in wanted)
        {
            if (_parsed.TryGetValue(id, out var cached))
            {
                parsedRows[id] = cached;
            }
            else
            {
                missing.Add(id);
            }
        }
        if (missing.Count > 0)
        {
            await ParseAsync(connection, transaction, missing, parsedRows, cancellationToken);
        }
        foreach (var id in wanted)
        {
            var parsed = parsedRows[id];
            if (sensorIds is not null && sensorIds.Count < parsed.SensorIds.Count)
            {
                foreach (var sensorId in sensorIds)
                {
                    AddCommittedAfter(parsed.Of(sensorId));
                }
                continue;
            }
            // Fewer sensors in the row than asked about (or all asked about): the row's own are looked at.
            for (var slot = 0; slot < parsed.SensorIds.Count; slot++)
            {
                if (sensorIds is null || sensorIds.Contains(parsed.SensorIds[slot]))
                {
                    AddCommittedAfter(parsed.OfSlot(slot));
                }
            }
        }

        void AddCommittedAfter(ReadOnlySpan<StoredEntry> entries)
        {
            foreach (ref readonly var entry in entries)
            {
                if (entry.Batch.CommittedMs > committedAfterMs)
                {
                    into.Add(entry);
                }
            }
        }
    }

    private async Task ParseAsync(DbConnection connection, DbTransaction transaction, HashSet<long> missing,
        Dictionary<long, EntriesBySensor> parsedRows, CancellationToken cancellationToken)
    {
        await using var command = HistoryDb.Command(connection,
            "SELECT id, writer, received, readings FROM twin_reading_appended WHERE id >= @first", ("first", missing.Min()));
        command.Transaction = transaction;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (!missing.Contains(id))
            {
                continue;
            }
            var bySensor = new EntriesBySensor();
            HistoryCodec.ReadBatch((byte[])reader.GetValue(3), new HistoryBatch(reader.GetInt32(1), reader.GetInt64(2)), bySensor);
            _parsed[id] = parsedRows[id] = bySensor.Seal();
        }
    }
}
