using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace IocTwin.Tests.Persistence;

/// <summary>
/// Grains activating together read their state rows a group per statement: each still gets its own state, a missing
/// row is a new grain, and the writes that follow carry the right ETag, on SQLite and on PostgreSQL. On SQLite the
/// writes waiting together go a group per transaction: each row is still the provider's own.
/// </summary>
public sealed class BatchedStateReadTests
{
    private const int SensorCount = 300;

    private static Dictionary<string, string?> Sqlite() => new()
    {
        ["Twin:Storage"] = "Sqlite",
        ["Twin:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "twin.db")}",
        ["Twin:Clustering"] = "Localhost",
    };

    private static Dictionary<string, string?> PostgreSql() => new()
    {
        ["Twin:Storage"] = "PostgreSql",
        ["Twin:ConnectionString"] = PostgresDatabase.ConnectionString,
        ["Twin:Clustering"] = "AdoNet",
    };

    [Fact]
    public Task Sqlite_sensors_waking_together_each_get_their_own_state_and_keep_what_they_record_next() =>
        SensorsWakingTogether(Sqlite());

    [Fact]
    public Task PostgreSql_sensors_waking_together_each_get_their_own_state_and_keep_what_they_record_next() =>
        SensorsWakingTogether(PostgreSql());

    [Fact]
    public Task Sqlite_states_read_together_are_those_the_provider_reads_one_by_one() => ReadsAsTheProvider(Sqlite());

    [Fact]
    public Task PostgreSql_states_read_together_are_those_the_provider_reads_one_by_one() => ReadsAsTheProvider(PostgreSql());

    [Fact]
    public async Task Sqlite_a_state_that_cannot_be_written_fails_its_own_write_and_the_writes_after_it_are_stored()
    {
        using var silo = await PersistenceRoundTripTests.StartSilo(Settings(Sqlite()));
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        var twin = silo.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var broken = grains.GetGrain<ISensorGrain>($"w-{tag}-broken").GetGrainId();
        var sound = grains.GetGrain<ISensorGrain>($"w-{tag}-sound").GetGrainId();

        // Copied as it is (immutable) when the write is asked for, it has no serializer when its turn comes.
        var refused = twin.WriteStateAsync("sensor", broken, new GrainState<Unwritable>(new Unwritable()));
        var stored = new GrainState<SensorState>(new SensorState { ReadingCount = 42 });
        var after = twin.WriteStateAsync("sensor", sound, stored);

        await Assert.ThrowsAnyAsync<Exception>(() => refused.WaitAsync(TimeSpan.FromSeconds(30)));
        await after.WaitAsync(TimeSpan.FromSeconds(30));
        var read = new GrainState<SensorState>();
        await twin.ReadStateAsync("sensor", sound, read);
        Assert.Equal(42, read.State!.ReadingCount);
        Assert.Equal(stored.ETag, read.ETag);
    }

    /// <summary>A state Orleans copies as it is and cannot serialise.</summary>
    [Immutable]
    private sealed class Unwritable;

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> settings)
    {
        settings["Twin:ClusterId"] = "batched-" + Guid.NewGuid().ToString("N")[..8];
        settings["Twin:SeedSampleCity"] = "false";
        // Far beyond the test's length: only deactivation on shutdown writes the live values.
        settings["Twin:PersistDelay"] = "00:10:00";
        return settings;
    }

    private static async Task SensorsWakingTogether(Dictionary<string, string?> backend)
    {
        var settings = Settings(backend);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var district = new DistrictSpec($"d-{tag}", "Hải Châu test", "Hai Chau test",
            [new(108.20, 16.05), new(108.23, 16.05), new(108.23, 16.08), new(108.20, 16.08)]);
        var ids = Enumerable.Range(0, SensorCount).Select(i => $"a-{tag}-{i}").ToArray();
        var time = DateTimeOffset.UtcNow.AddMinutes(-1);
        using (var first = await PersistenceRoundTripTests.StartSilo(settings))
        {
            var grains = first.Services.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<IDistrictGrain>(district.Id).Register(district);
            for (var i = 0; i < ids.Length; i++)
            {
                var sensor = grains.GetGrain<ISensorGrain>(ids[i]);
                await sensor.Register(new SensorSpec(ids[i], SensorKind.AirQuality, Sector.Environment, new(108.21, 16.07), district.Id, null, null));
                await sensor.Record([new Reading(time, new Dictionary<string, double>() { ["aqi"] = i })]);
            }
            await first.StopAsync();
        }

        var newcomer = $"a-{tag}-new";
        using (var second = await PersistenceRoundTripTests.StartSilo(settings))
        {
            var grains = second.Services.GetRequiredService<IGrainFactory>();
            // Every sensor wakes at once, with one that has no row among them.
            var views = await Task.WhenAll(ids.Append(newcomer).Select(id => grains.GetGrain<ISensorGrain>(id).Get()));
            for (var i = 0; i < ids.Length; i++)
            {
                Assert.Equal(ids[i], views[i]!.Id);
                Assert.Equal(i, views[i]!.LastReading!.Values["aqi"]);
            }
            Assert.Null(views[^1]);

            // Each writes again after its grouped read: with a wrong ETag the write would be refused and lost.
            await Task.WhenAll(ids.Select((id, i) => grains.GetGrain<ISensorGrain>(id).Record([new Reading(time.AddSeconds(1), new Dictionary<string, double>() { ["aqi"] = 400 - i })])));
            await grains.GetGrain<ISensorGrain>(newcomer).Register(
                new SensorSpec(newcomer, SensorKind.AirQuality, Sector.Environment, new(108.21, 16.07), district.Id, null, null));
            await second.StopAsync();
        }

        using var third = await PersistenceRoundTripTests.StartSilo(settings);
        var again = third.Services.GetRequiredService<IGrainFactory>();
        var after = await Task.WhenAll(ids.Append(newcomer).Select(id => again.GetGrain<ISensorGrain>(id).Get()));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(400 - i, after[i]!.LastReading!.Values["aqi"]);
            Assert.Equal(2, after[i]!.ReadingCount);
        }
        Assert.Equal(district.Id, after[^1]!.DistrictId);
        await third.StopAsync();
    }

    private static async Task ReadsAsTheProvider(Dictionary<string, string?> backend)
    {
        var settings = Settings(backend);
        var sqlite = backend["Twin:Storage"] == "Sqlite";
        using var silo = await PersistenceRoundTripTests.StartSilo(settings);
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        var twin = silo.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name);
        var provider = silo.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name + (sqlite ? "-sqlite" : "-postgresql"));
        var tag = Guid.NewGuid().ToString("N")[..8];
        // Never activated: only their rows are read and written here.
        var ids = Enumerable.Range(0, SensorCount).Select(i => grains.GetGrain<ISensorGrain>($"r-{tag}-{i}").GetGrainId()).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            var written = new GrainState<SensorState>(new SensorState { ReadingCount = i, Version = 7 });
            await twin.WriteStateAsync("sensor", ids[i], written);
            // Some rows move on a version; one is cleared (a row with no payload); the last is never written.
            if (i % 3 == 0)
            {
                written.State!.ReadingCount += 1_000;
                await twin.WriteStateAsync("sensor", ids[i], written);
            }
        }
        var cleared = new GrainState<SensorState>(new SensorState());
        await provider.ReadStateAsync("sensor", ids[1], cleared);
        await twin.ClearStateAsync("sensor", ids[1], cleared);
        var missing = grains.GetGrain<ISensorGrain>($"r-{tag}-none").GetGrainId();
        GrainId[] all = [.. ids, missing];

        var together = all.Select(_ => new GrainState<SensorState>()).ToArray();
        await Task.WhenAll(all.Select((id, i) => twin.ReadStateAsync("sensor", id, together[i])));
        for (var i = 0; i < all.Length; i++)
        {
            var alone = new GrainState<SensorState>();
            await provider.ReadStateAsync("sensor", all[i], alone);
            Assert.Equal(alone.ETag, together[i].ETag);
            Assert.Equal(alone.RecordExists, together[i].RecordExists);
            Assert.NotNull(together[i].State);
            Assert.Equal(alone.State!.ReadingCount, together[i].State!.ReadingCount);
            Assert.Equal(alone.State!.Version, together[i].State!.Version);
        }
        Assert.Equal(1_003, together[3].State!.ReadingCount);
        Assert.Equal(4, together[4].State!.ReadingCount);
        // A cleared row keeps its version (the ETag the next write carries) but holds no state.
        Assert.False(together[1].RecordExists);
        Assert.NotNull(together[1].ETag);
        Assert.Equal(0, together[1].State!.ReadingCount);
        Assert.False(together[^1].RecordExists);
        Assert.Null(together[^1].ETag);

        // Writes after the grouped read succeed with its ETags (and a new row for the missing grain); one with the
        // ETag a write has since moved on is refused.
        var stale = together[0].ETag;
        foreach (var (state, i) in together.Select((t, i) => (t, i)))
        {
            state.State!.ReadingCount = 5_000 + i;
        }
        await Task.WhenAll(all.Select((id, i) => twin.WriteStateAsync("sensor", id, together[i])));
        Assert.All(together, t => Assert.True(t.RecordExists));
        Assert.NotEqual(stale, together[0].ETag);
        // Written together (on SQLite a group per transaction), each row is what the provider reads back as its own.
        for (var i = 0; i < all.Length; i++)
        {
            var stored = new GrainState<SensorState>();
            await provider.ReadStateAsync("sensor", all[i], stored);
            Assert.Equal(together[i].ETag, stored.ETag);
            Assert.True(stored.RecordExists);
            Assert.Equal(5_000 + i, stored.State!.ReadingCount);
        }
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            twin.WriteStateAsync("sensor", all[0], new GrainState<SensorState>(new SensorState()) { ETag = stale, RecordExists = true }));

        // Writes asked for together, one of them with an ETag its row has moved past: that one is refused, the others
        // are stored, and the refused row keeps what it held.
        var refused = twin.WriteStateAsync("sensor", all[25], new GrainState<SensorState>(new SensorState { ReadingCount = -1 }) { ETag = "1", RecordExists = true });
        var accepted = Enumerable.Range(30, 40).Select(i =>
        {
            together[i].State!.ReadingCount = 9_000 + i;
            return twin.WriteStateAsync("sensor", all[i], together[i]);
        }).ToList();
        await Assert.ThrowsAsync<InconsistentStateException>(() => refused);
        await Task.WhenAll(accepted);
        var kept = new GrainState<SensorState>();
        await provider.ReadStateAsync("sensor", all[25], kept);
        Assert.Equal(5_025, kept.State!.ReadingCount);
        var moved = new GrainState<SensorState>();
        await provider.ReadStateAsync("sensor", all[69], moved);
        Assert.Equal(9_069, moved.State!.ReadingCount);
        Assert.Equal(together[69].ETag, moved.ETag);
    }
}
