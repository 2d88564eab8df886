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

    private static async Task<ReadingHistory> Start(string database)
    {
        var hosting = database == "Sqlite"
            ? new TwinHostingOptions { ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "h.db")}" }
            : new TwinHostingOptions { Storage = StorageKind.PostgreSql, ConnectionString = PostgresDatabase.ConnectionString };
        await SchemaInstaller.ApplyAsync(hosting);
        var history = new ReadingHistory(hosting, NullLogger<ReadingHistory>.Instance);
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
            history.AppendAsync([(sensor, new Reading(start.AddSeconds(10), new() { ["speed"] = 30, ["flow"] = 900 }))]),
            history.AppendAsync([(sensor, new Reading(start.AddSeconds(50), new() { ["speed"] = 50, ["flow"] = 1100 })),
                                 (sensor, new Reading(start.AddMinutes(5), new() { ["speed"] = 10 }))]));
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
    public async Task Latest_at_a_time_and_batches_after_a_commit_see_what_was_stored(string database)
    {
        using var history = await Start(database);
        var sensor = "h-" + Guid.NewGuid().ToString("N");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);

        var first = await history.AppendAsync([(sensor, new Reading(t0, new() { ["aqi"] = 90 }))]);
        var second = await history.AppendAsync([(sensor, new Reading(t0.AddMinutes(2), new() { ["aqi"] = 150 }))]);

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
}
