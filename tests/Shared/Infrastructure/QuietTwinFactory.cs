using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// A twin no other test writes to, with live values written behind quickly, so a test can take its whole state —
/// as the API serves it and as the database stores it — and compare it byte for byte later.
/// </summary>
public class QuietTwinFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Twin:PersistDelay"] = "00:00:00.100";
            return settings;
        }
    }

    /// <summary>Every live grain's stored state (sensors, segments, districts, city), as the bytes in the database.</summary>
    public string StoredLiveState()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "twin.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT GrainTypeString, GrainIdExtensionString, Version, hex(PayloadBinary) FROM OrleansStorage
            WHERE GrainTypeString IN ('sensor', 'segment', 'district', 'city')
            ORDER BY GrainTypeString, GrainIdExtensionString
            """;
        using var reader = command.ExecuteReader();
        var rows = new StringBuilder();
        while (reader.Read())
        {
            rows.AppendLine($"{reader.GetString(0)} {reader.GetValue(1)} v{reader.GetInt64(2)} {reader.GetValue(3)}");
        }
        return rows.ToString();
    }

    /// <summary>How many readings history holds.</summary>
    public long StoredReadings()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "twin-history.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT coalesce(sum(count), 0) FROM twin_reading_block) + (SELECT coalesce(sum(count), 0) FROM twin_reading_appended)";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Everything a screen can read of the live twin, as the API serves it.</summary>
    public async Task<string> LiveTwinJson()
    {
        var parts = new List<string> { await Http.GetStringAsync("/api/v1/city"), await Http.GetStringAsync("/api/v1/districts") };
        foreach (var district in await Http.GetFromJsonAsync<List<IocTwin.Model.DistrictView>>("/api/v1/districts", IocTwin.Api.Json.TwinJson.Options) ?? [])
        {
            parts.Add(await Http.GetStringAsync($"/api/v1/districts/{district.Id}/segments"));
            parts.Add(await Http.GetStringAsync($"/api/v1/districts/{district.Id}/sensors"));
        }
        return string.Join('\n', parts);
    }

    /// <summary>Waits until what the seeding left to write behind is written, then returns the stored state.</summary>
    public async Task<string> SettledStoredState()
    {
        string? settled = null;
        await Eventually.Until(async () =>
        {
            var first = StoredLiveState();
            await Task.Delay(1000);
            settled = StoredLiveState();
            return first == settled;
        }, same => same, TimeSpan.FromSeconds(30), "the stored state settles");
        return settled!;
    }
}
