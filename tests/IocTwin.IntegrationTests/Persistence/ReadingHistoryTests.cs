using IocTwin.History;
using IocTwin.Hosting;
using IocTwin.Model;
using IocTwin.Persistence;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace IocTwin.Tests.Persistence;

/// <summary>Reading history against the real databases: what is appended comes back, downsampled and as of a time.</summary>
public sealed class ReadingHistoryTests
{
    public static TheoryData<string> Databases => ["Sqlite", "PostgreSql"];

    private static TwinHostingOptions Hosting(string database) => database == "Sqlite"
        ? new TwinHostingOptions { ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "h.db")}" }
        : new TwinHostingOptions { Storage = StorageKind.PostgreSql, ConnectionString = PostgresDatabase.ConnectionString };

    private static async Task<ReadingHistory> Start(string database) => await Start(Hosting(database));

    private static async Task<ReadingHistory> Start(TwinHostingOptions hosting, TimeSpan? orphanAge = null, TimeSpan? moveInterval = null)
    {
        await SchemaInstaller.ApplyAsync(hosting);
        var history = new ReadingHistory(hosting.History, NullLogger<ReadingHistory>.Instance, orphanAge, moveInterval);
        await history.StartAsync(CancellationToken.None);
        return history;
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Appended_readings_come_back_downsampled(string database)
    {
        using var history = await Start(database);
        var sensor = "h-" + Guid.NewGuid().ToString("N");
        var start = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.FromHours(7));

        var appended = await Task.WhenAll(
            history.AppendAsync([(sensor, new Reading(start.AddSeconds(10), new Dictionary<string, double>() { ["speed"] = 30, ["flow"] = 900 }))]),
            history.AppendAsync([(sensor, new Reading(start.AddSeconds(50), new Dictionary<string, double>() { ["speed"] = 50, ["flow"] = 1100 })),
                                 (sensor, new Reading(start.AddMinutes(5), new Dictionary<string, double>() { ["speed"] = 10 }))]));
        Assert.All(appended, batch => Assert.True(batch.CommittedMs > 0));
        // One process writes with one writer id; appends sharing a transaction still get batch keys of their own.
        Assert.Equal(appended[0].Writer, appended[1].Writer);
        Assert.NotEqual(appended[0].CommittedMs, appended[1].CommittedMs);

        var buckets = await history.QueryAsync(sensor, start, start.AddMinutes(10), TimeSpan.FromMinutes(1));

        Assert.Equal([start, start.AddMinutes(5)], buckets.Select(b => b.Time));
        Assert.Equal(new ValueStats(40, 30, 50, 2), buckets[0].Values["speed"]);
        Assert.Equal(new ValueStats(1000, 900, 1100, 2), buckets[0].Values["flow"]);
        Assert.Equal(new ValueStats(10, 10, 10, 1), buckets[1].Values["speed"]);
        Assert.False(buckets[1].Values.ContainsKey("flow"));
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Many_appends_stored_together_come_back_each_whole_and_under_its_own_batch(string database)
    {
        using var history = await Start(database);
        var sensor = "h-" + Guid.NewGuid().ToString("N");
        // Whole seconds: history keeps milliseconds.
        var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());

        // Appended side by side, they are committed a few hundred at a time (on PostgreSQL by one binary COPY).
        var appended = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => history.AppendAsync(
            [(sensor, new Reading(t0.AddSeconds(i), new Dictionary<string, double>() { ["aqi"] = i, ["pm25"] = i / 2.0 }))])));

        var stored = await history.CommittedAfterAsync(sensor, 0);
        Assert.Equal(300, appended.Distinct().Count());
        Assert.Equal(appended.OrderBy(b => b.CommittedMs), stored.Select(r => r.Batch).OrderBy(b => b.CommittedMs));
        Assert.All(stored, r =>
        {
            var i = (int)(r.Timestamp - t0).TotalSeconds;
            Assert.Equal(appended[i], r.Batch);
            Assert.Equal(new Dictionary<string, double> { ["aqi"] = i, ["pm25"] = i / 2.0 }, r.Values);
        });
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Latest_at_a_time_and_batches_after_a_commit_see_what_was_stored(string database)
    {
        using var history = await Start(database);
        var sensor = "h-" + Guid.NewGuid().ToString("N");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);

        var first = await history.AppendAsync([(sensor, new Reading(t0, new Dictionary<string, double>() { ["aqi"] = 90 }))]);
        var second = await history.AppendAsync([(sensor, new Reading(t0.AddMinutes(2), new Dictionary<string, double>() { ["aqi"] = 150 }))]);

        Assert.True(second.CommittedMs > first.CommittedMs);
        Assert.Equal(90, (await history.LatestAtAsync(t0.AddMinutes(1)))[sensor].Values["aqi"]);
        Assert.Equal(150, (await history.LatestAtAsync(t0.AddMinutes(3)))[sensor].Values["aqi"]);
        Assert.False((await history.LatestAtAsync(t0.AddMinutes(-1))).ContainsKey(sensor));

        var after = Assert.Single(await history.CommittedAfterAsync(sensor, first.CommittedMs));
        Assert.Equal(150, after.Values["aqi"]);
        Assert.Equal(second, after.Batch);
        Assert.Equal([first, second], (await history.CommittedAfterAsync(sensor, 0)).Select(r => r.Batch));
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Latest_at_a_time_for_some_series_reads_only_those_in_rows_and_in_blocks(string database)
    {
        using var history = await Start(Hosting(database), moveInterval: Timeout.InfiniteTimeSpan);
        var tag = Guid.NewGuid().ToString("N");
        var (air, bridge, prefix) = ($"h-{tag}-air", $"h-{tag}-bridge", $"asset-{tag}:");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        await history.AppendAsync([(air, new Reading(t0, new Dictionary<string, double>() { ["aqi"] = 80 })), (bridge, new Reading(t0, new Dictionary<string, double>() { ["speed"] = 30 })),
                                   (prefix + "bus-1", new Reading(t0, new Dictionary<string, double>() { ["lon"] = 108.2, ["lat"] = 16.05 })),
                                   (prefix + "bus-2", new Reading(t0, new Dictionary<string, double>() { ["lon"] = 108.3, ["lat"] = 16.06 }))]);
        // More ids than one statement takes, most with no history.
        var someSensors = HistorySeries.Only([air, .. Enumerable.Range(0, 700).Select(i => $"h-{tag}-none-{i}")]);

        async Task AssertReadsOnlyThoseAsked()
        {
            var at = t0.AddMinutes(1);
            Assert.Equal([air], (await history.LatestAtAsync(at, someSensors)).Keys);
            Assert.Equal(80, (await history.LatestAtAsync(at, someSensors))[air].Values["aqi"]);
            Assert.Equal([prefix + "bus-1", prefix + "bus-2"], (await history.LatestAtAsync(at, HistorySeries.StartingWith(prefix))).Keys.Order());
            Assert.Empty(await history.LatestAtAsync(at, HistorySeries.Only([])));
            Assert.Contains(bridge, (await history.LatestAtAsync(at)).Keys);
        }

        await AssertReadsOnlyThoseAsked();
        Assert.True(await history.MoveToBlocksAsync() >= 4);
        await AssertReadsOnlyThoseAsked();
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task KPI_changes_are_written_in_batches_and_come_back_downsampled(string database)
    {
        using var history = await Start(database);
        var segment = "k-" + Guid.NewGuid().ToString("N");
        var start = new DateTimeOffset(2026, 11, 20, 1, 0, 0, TimeSpan.Zero);

        history.RecordKpis([
            new KpiPoint(segment, start.AddSeconds(5), "speedKmh", 40),
            new KpiPoint(segment, start.AddSeconds(35), "speedKmh", 20),
            new KpiPoint(segment, start.AddSeconds(35), "los", 6),
            new KpiPoint(segment, start.AddMinutes(2), "speedKmh", 45),
        ]);

        var buckets = await Eventually.Until(() => history.QueryKpisAsync(segment, start, start.AddMinutes(5), TimeSpan.FromMinutes(1)),
            b => b.Count == 2, TimeSpan.FromSeconds(10), "the batch is written");
        Assert.Equal(new ValueStats(30, 20, 40, 2), buckets[0].Values["speedKmh"]);
        Assert.Equal(new ValueStats(6, 6, 6, 1), buckets[0].Values["los"]);
        Assert.Equal(start.AddMinutes(2), buckets[1].Time);
        await history.StopAsync(CancellationToken.None);
    }

    /// <summary>What the three queries return for some sensors, as text to compare.</summary>
    private static async Task<string> Answers(ReadingHistory history, string[] sensors, DateTimeOffset t0)
    {
        var parts = new List<object>();
        foreach (var sensor in sensors)
        {
            parts.Add(await history.QueryAsync(sensor, t0.AddHours(-1), t0.AddHours(1), TimeSpan.FromMinutes(1)));
            parts.Add((await history.CommittedAfterAsync(sensor, 0)).Select(r => new { r.Timestamp, r.Values, r.Batch }));
            foreach (var at in new[] { t0.AddSeconds(45), t0.AddMinutes(1), t0.AddMinutes(10) })
            {
                var latest = await history.LatestAtAsync(at);
                parts.Add(latest.TryGetValue(sensor, out var reading) ? new { reading.Timestamp, reading.Values, reading.Batch } : null!);
            }
        }
        return System.Text.Json.JsonSerializer.Serialize(parts);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Readings_read_the_same_once_moved_into_per_sensor_blocks(string database)
    {
        using var history = await Start(Hosting(database), moveInterval: Timeout.InfiniteTimeSpan);
        var (bridge, air) = ("h-" + Guid.NewGuid().ToString("N"), "h-" + Guid.NewGuid().ToString("N"));
        var now = DateTimeOffset.UtcNow;
        var t0 = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-30);
        await history.AppendAsync([(bridge, new Reading(t0, new Dictionary<string, double>() { ["speed"] = 30, ["flow"] = 900 })),
                                   (air, new Reading(t0.AddMinutes(1), new Dictionary<string, double>() { ["aqi"] = 80, ["pm25"] = 31.5 }))]);
        await history.AppendAsync([(bridge, new Reading(t0.AddMinutes(1), new Dictionary<string, double>() { ["speed"] = 42 }))]);
        // Late: measured before the reading above, stored after it.
        await history.AppendAsync([(bridge, new Reading(t0.AddSeconds(40), new Dictionary<string, double>() { ["speed"] = 12 }))]);
        var before = await Answers(history, [bridge, air], t0);
        var count = await history.CountAsync();

        Assert.True(await history.MoveToBlocksAsync() >= 4);

        Assert.Equal(before, await Answers(history, [bridge, air], t0));
        Assert.Equal(count, await history.CountAsync());
        Assert.Contains("\"speed\":12", before);
        // A block and rows appended after it are read together.
        await history.AppendAsync([(bridge, new Reading(t0.AddSeconds(50), new Dictionary<string, double>() { ["speed"] = 18 }))]);
        var minute = (await history.QueryAsync(bridge, t0, t0.AddMinutes(1), TimeSpan.FromMinutes(1))).Single();
        Assert.Equal(new ValueStats(20, 12, 30, 3), minute.Values["speed"]);
        Assert.Equal(4, (await history.CommittedAfterAsync(bridge, 0)).Count);
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_move_of_many_sensors_keeps_every_reading_of_each(string database)
    {
        using var history = await Start(Hosting(database), moveInterval: Timeout.InfiniteTimeSpan);
        var prefix = "m-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var sensors = Enumerable.Range(0, 150).Select(i => prefix + i).ToList();
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        await history.AppendAsync([.. sensors.Select((id, i) => (id, new Reading(t0, new Dictionary<string, double>() { ["v"] = i })))]);
        // Every third sensor reports again, so blocks differ in size.
        await history.AppendAsync([.. sensors.Where((_, i) => i % 3 == 0).Select(id => (id, new Reading(t0.AddSeconds(1), new Dictionary<string, double>() { ["v"] = -1 })))]);

        await history.MoveToBlocksAsync();

        for (var i = 0; i < sensors.Count; i++)
        {
            var stored = await history.CommittedAfterAsync(sensors[i], 0);
            Assert.Equal(i % 3 == 0 ? [i, -1] : [i], stored.OrderBy(r => r.Timestamp).Select(r => r.Values["v"]));
        }
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Sensors_catching_up_together_each_get_exactly_their_own_readings_committed_after_their_own_time(string database)
    {
        using var history = await Start(Hosting(database), moveInterval: Timeout.InfiniteTimeSpan);
        var prefix = "c-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var sensors = Enumerable.Range(0, 600).Select(i => prefix + i).ToList();
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        // Every sensor but the last hundred: one reading moved into blocks, then one left in appended rows.
        var moved = await history.AppendAsync([.. sensors.Take(500).Select((id, i) => (id, new Reading(t0, new Dictionary<string, double>() { ["v"] = i })))]);
        await history.MoveToBlocksAsync();
        await history.AppendAsync([.. sensors.Take(500).Select((id, i) => (id, new Reading(t0.AddSeconds(1), new Dictionary<string, double>() { ["v"] = -i })))]);

        // Asked all at once (as a city's sensors activate under its feed); odd sensors saw the moved batch already.
        var caughtUp = await Task.WhenAll(sensors.Select((id, i) => history.CommittedAfterAsync(id, i % 2 == 1 ? moved.CommittedMs : 0)));

        for (var i = 0; i < sensors.Count; i++)
        {
            double[] expected = i >= 500 ? [] : i % 2 == 1 ? [-i] : [i, -i];
            Assert.Equal(expected, caughtUp[i].Select(r => r.Values["v"]));
            Assert.All(caughtUp[i], r => Assert.Equal(sensors[i], r.SensorId));
        }
        await history.StopAsync(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Rows_a_stopped_writer_left_are_moved_once_by_another_process(string database)
    {
        var hosting = Hosting(database);
        // The first process appends and never gets to move: as if it were killed.
        using var killed = await Start(hosting, moveInterval: Timeout.InfiniteTimeSpan);
        using var survivor = await Start(hosting, orphanAge: TimeSpan.Zero, moveInterval: Timeout.InfiniteTimeSpan);
        var sensor = "h-" + Guid.NewGuid().ToString("N");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        var first = await killed.AppendAsync([(sensor, new Reading(t0, new Dictionary<string, double>() { ["level"] = 0.4 }))]);
        var second = await killed.AppendAsync([(sensor, new Reading(t0.AddSeconds(30), new Dictionary<string, double>() { ["level"] = 0.9 }))]);
        // Commit times are unique per writer, so two commits in one millisecond put the second one ahead of the clock.
        await Task.Delay(TimeSpan.FromMilliseconds(20));

        Assert.True(await survivor.MoveToBlocksAsync() >= 2);
        // Moving again, from either process, finds nothing of it left to move.
        await Task.WhenAll(survivor.MoveToBlocksAsync(), killed.MoveToBlocksAsync());

        foreach (var history in new[] { survivor, killed })
        {
            var stored = await history.CommittedAfterAsync(sensor, 0);
            Assert.Equal([first, second], stored.Select(r => r.Batch));
            Assert.Equal([0.4, 0.9], stored.Select(r => r.Values["level"]));
        }
        await survivor.StopAsync(CancellationToken.None);
        await killed.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_quiet_feeds_rows_wait_to_make_larger_blocks_but_rows_of_a_stopped_writer_are_adopted()
    {
        var hosting = Hosting("Sqlite");
        using var survivor = await Start(hosting, orphanAge: TimeSpan.Zero, moveInterval: TimeSpan.FromMilliseconds(20));
        var (quiet, orphan) = ("h-" + Guid.NewGuid().ToString("N"), "h-" + Guid.NewGuid().ToString("N"));
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-1);
        var own = await survivor.AppendAsync([(quiet, new Reading(t0, new Dictionary<string, double>() { ["db"] = 55 }))]);

        // Many passes later, one reading is still far from worth a block of its own.
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        Assert.Equal([own.Writer], await AppendedWriters(hosting));

        using (var killed = await Start(hosting, moveInterval: Timeout.InfiniteTimeSpan))
        {
            await killed.AppendAsync([(orphan, new Reading(t0, new Dictionary<string, double>() { ["db"] = 70 }))]);
            await killed.StopAsync(CancellationToken.None);
        }

        // The stopped writer's row is moved by the pass that finds it, and with it what is waiting.
        await Eventually.Until(() => AppendedWriters(hosting), writers => writers.Count == 0, TimeSpan.FromSeconds(10), "the appended rows are moved");
        Assert.Equal([55.0], (await survivor.CommittedAfterAsync(quiet, 0)).Select(r => r.Values["db"]));
        Assert.Equal([70.0], (await survivor.CommittedAfterAsync(orphan, 0)).Select(r => r.Values["db"]));
        await survivor.StopAsync(CancellationToken.None);
    }

    private static async Task<List<int>> AppendedWriters(TwinHostingOptions hosting)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(hosting.HistoryConnection);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT writer FROM twin_reading_appended";
        await using var reader = await command.ExecuteReaderAsync();
        var writers = new List<int>();
        while (await reader.ReadAsync())
        {
            writers.Add(reader.GetInt32(0));
        }
        return writers;
    }

    [Fact]
    public async Task Readings_of_the_former_one_row_per_reading_table_are_moved_into_blocks()
    {
        var hosting = Hosting("Sqlite");
        var t0 = new DateTimeOffset(2026, 10, 1, 7, 0, 0, TimeSpan.FromHours(7));
        Directory.CreateDirectory(Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(hosting.ConnectionString).DataSource)!);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(hosting.HistoryConnection))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $$"""
                CREATE TABLE twin_reading (sensor_id TEXT NOT NULL, ts INTEGER NOT NULL, writer INTEGER NOT NULL, received INTEGER NOT NULL, payload TEXT NOT NULL);
                INSERT INTO twin_reading VALUES ('old-1', {{t0.ToUnixTimeMilliseconds()}}, 7, 1000, '{"speed":25,"flow":1200}');
                INSERT INTO twin_reading VALUES ('old-1', {{t0.AddMinutes(1).ToUnixTimeMilliseconds()}}, 7, 2000, '{"speed":35}');
                INSERT INTO twin_reading VALUES ('old-2', {{t0.ToUnixTimeMilliseconds()}}, 7, 1000, '{"aqi":160}');
                """;
            await command.ExecuteNonQueryAsync();
        }

        // The schema's migration moves them before the store starts.
        using var history = await Start(hosting);

        var latest = await history.LatestAtAsync(t0.AddHours(1));
        Assert.Equal(2, latest.Count);
        Assert.Equal(35, latest["old-1"].Values["speed"]);
        Assert.Equal(new HistoryBatch(7, 2000), latest["old-1"].Batch);
        Assert.Equal(160, latest["old-2"].Values["aqi"]);
        Assert.Equal(new ValueStats(30, 25, 35, 2), (await history.QueryAsync("old-1", t0, t0.AddHours(1), TimeSpan.FromHours(1))).Single().Values["speed"]);
        Assert.Equal(3, await history.CountAsync());
        await history.StopAsync(CancellationToken.None);
    }
}
