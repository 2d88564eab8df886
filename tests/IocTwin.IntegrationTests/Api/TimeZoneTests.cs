using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Domain;
using IocTwin.Feed;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>A twin set in Berlin's time zone (Twin:TimeZone), without the sample city.</summary>
public sealed class BerlinTwin() : ProductionTwinHost(seedSampleCity: false)
{
    protected override IReadOnlyDictionary<string, string?> Changes { get; } = new Dictionary<string, string?>
    {
        [TwinTimeZone.SettingName] = "Europe/Berlin",
    };
}

/// <summary>One setting, Twin:TimeZone, sets the hours the server reads and the zone the screens show times in.</summary>
public sealed class TimeZoneTests(BerlinTwin api) : IClassFixture<BerlinTwin>
{
    private static readonly SensorSpec Counter = new("c", SensorKind.TrafficCounter, Sector.Traffic, new(13.4, 52.5), "mitte", null, null);

    [Fact]
    public async Task Screens_are_told_the_configured_zone_without_signing_in()
    {
        using var anonymous = api.CreateClient();

        var response = await anonymous.GetAsync("/api/v1/config");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var config = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Europe/Berlin", (string?)config["timeZone"]);
    }

    [Fact]
    public void The_synthetic_rush_hour_follows_the_configured_zone()
    {
        var berlin = new SyntheticFeed(timeZone: TwinTimeZone.Parse("Europe/Berlin"));
        var daNang = new SyntheticFeed();
        // 17:30 in Berlin in winter is 23:30 in Đà Nẵng.
        var evening = new DateTimeOffset(2026, 11, 25, 17, 30, 0, TimeSpan.FromHours(1));

        Assert.True(berlin.Demand(evening) > 0.8, $"Berlin's evening rush: {berlin.Demand(evening)}");
        Assert.True(daNang.Demand(evening) < 0.2, $"Đà Nẵng's night: {daNang.Demand(evening)}");
        // Noon in Berlin is 18:00 in Đà Nẵng: its streetlights are on, Berlin's off.
        var noon = evening.AddHours(-5.5);
        var lamp = Counter with { Kind = SensorKind.Streetlight };
        Assert.Equal(0.0, berlin.Next(lamp, null, noon).Values[ReadingNames.On]);
        Assert.Equal(1.0, daNang.Next(lamp, null, noon).Values[ReadingNames.On]);
    }

    [Fact]
    public void An_unknown_zone_stops_the_start_naming_the_setting()
    {
        using var twin = new MisplacedTwin();

        var error = Record.Exception(twin.StartServer);

        Assert.NotNull(error);
        var messages = string.Join(" | ", Chain(error));
        Assert.Contains(TwinTimeZone.SettingName, messages);
        Assert.Contains("Mars/Olympus_Mons", messages);
    }

    private static IEnumerable<string> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error.Message;
        }
    }

    private sealed class MisplacedTwin() : ProductionTwinHost(seedSampleCity: false)
    {
        protected override IReadOnlyDictionary<string, string?> Changes { get; } = new Dictionary<string, string?>
        {
            [TwinTimeZone.SettingName] = "Mars/Olympus_Mons",
        };
    }
}
