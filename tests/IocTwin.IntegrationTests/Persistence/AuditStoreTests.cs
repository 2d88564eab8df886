using IocTwin.Hosting;
using IocTwin.Persistence;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Persistence;

/// <summary>The audit log keeps its entries in the twin's database, on SQLite and on PostgreSQL alike.</summary>
public sealed class AuditStoreTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Entries_are_kept_and_found_by_time_actor_and_action_newest_first(StorageKind storage)
    {
        var hosting = storage == StorageKind.Sqlite
            ? new TwinHostingOptions { ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"), "twin.db")}" }
            : new TwinHostingOptions { Storage = StorageKind.PostgreSql, ConnectionString = PostgresDatabase.ConnectionString };
        await SchemaInstaller.ApplyAsync(hosting);
        var actor = $"operator {Guid.NewGuid():N}";
        var start = new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);
        using (var writer = new AuditStore(hosting))
        {
            await writer.AppendAsync(new AuditEntry(start, actor, "ioc", "alert.acknowledge", "hai-chau:0123456789ab", null));
            await writer.AppendAsync(new AuditEntry(start.AddMinutes(1), actor, "ioc", "alert-rule.put", "aqi-unhealthy", "AQI > 150"));
            await writer.AppendAsync(new AuditEntry(start.AddMinutes(2), actor, "ioc", "alert.resolve", "hai-chau:0123456789ab", null));
        }

        // A new store, as after a restart.
        using var store = new AuditStore(hosting);
        var all = await store.QueryAsync(new AuditQuery(null, null, actor, null, 100));
        var window = await store.QueryAsync(new AuditQuery(start.AddMinutes(1), start.AddMinutes(2), actor, null, 100));
        var rules = await store.QueryAsync(new AuditQuery(null, null, actor, "alert-rule.put", 100));
        var latest = await store.QueryAsync(new AuditQuery(null, null, actor, null, 1));

        Assert.Equal(["alert.resolve", "alert-rule.put", "alert.acknowledge"], all.Select(e => e.Action));
        Assert.Equal(start.AddMinutes(2), all[0].Time);
        Assert.Null(all[2].Detail);
        Assert.Equal("alert-rule.put", Assert.Single(window).Action);
        Assert.Equal("AQI > 150", Assert.Single(rules).Detail);
        Assert.Equal("alert.resolve", Assert.Single(latest).Action);
    }
}
