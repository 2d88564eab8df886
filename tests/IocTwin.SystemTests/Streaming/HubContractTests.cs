using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace IocTwin.Tests.Streaming;

/// <summary>What the hub promises screens, checked with the official JavaScript client on a generated city.</summary>
[Collection(GeneratedCityCollection.Name)]
public sealed class HubContractTests(GeneratedCityTwinApiFactory api)
{
    private string Hub => LiveScreen.HubUrl(api).ToString();

    [Fact]
    public async Task Subscriptions_sent_together_on_one_connection_are_answered_side_by_side()
    {
        var district = api.City.Districts[1].Id;
        var sensor = api.City.Sensors.First(s => s.DistrictId == district);
        var token = api.Token(TwinRoles.Ioc);
        // Once alone, so that what is measured next is the calls, not the twin's first look at these ids.
        await using (var warm = await NodeCheck.StartAsync("hub-contract.mjs", "subscribe", Hub, token, $"district:{district},entity:{sensor.Id}"))
        {
            Assert.Equal(0, await warm.ExitCodeAsync());
        }

        // The city first, then the district and the entity, on one connection, without waiting in between.
        await using var check = await NodeCheck.StartAsync("hub-contract.mjs", "subscribe", Hub, token,
            $"city,district:{district},entity:{sensor.Id}", "0");
        var answers = new Dictionary<string, JsonNode>();
        for (var i = 0; i < 3; i++)
        {
            var line = await check.NextAsync();
            Assert.Equal("subscribed", (string?)line["status"]);
            answers[(string)line["scope"]!] = line;
        }
        Assert.Equal(0, await check.ExitCodeAsync());

        Assert.Equal(api.City.Sensors.Count, (int)answers["city"]["sensors"]!);
        Assert.Equal(api.City.Segments.Count, (int)answers["city"]["segments"]!);
        Assert.Equal(api.City.Sensors.Count(s => s.DistrictId == district), (int)answers[$"district:{district}"]["sensors"]!);
        Assert.Equal(1, (int)answers[$"entity:{sensor.Id}"]["sensors"]!);
        // Served one call at a time, they would start only once the city's snapshot had gone out. A scope's first
        // sequence number is the Unix time in ms when it was joined (docs/streaming.md): both joined while the
        // city's snapshot was still being read (one at a time, they would join only as the city's answer went out).
        var seen = string.Join(' ', answers.Values.Select(a => a.ToJsonString()));
        var (citySent, cityReceived) = ((long)answers["city"]["sentAt"]!, (long)answers["city"]["receivedAt"]!);
        foreach (var scope in new[] { $"district:{district}", $"entity:{sensor.Id}" })
        {
            Assert.True(((long)answers[scope]["sequence"]! - citySent) * 4 < (cityReceived - citySent) * 3, seen);
        }
    }

    [Fact]
    public async Task A_scope_subscribed_again_after_its_last_subscriber_left_carries_on_numbering()
    {
        // No other test subscribes to this district: unsubscribing leaves the scope without subscribers.
        var district = api.City.Districts[2].Id;
        await using var feed = api.Feed(api.City.Sensors.Where(s => s.DistrictId == district), perPost: 20);
        await using var check = await NodeCheck.StartAsync("hub-contract.mjs", "resubscribe", Hub, api.Token(TwinRoles.Ioc), $"district:{district}");

        var first = await check.NextAsync();
        var delta = await check.NextAsync();
        var again = await check.NextAsync();
        var after = await check.NextAsync();
        Assert.Equal(0, await check.ExitCodeAsync());

        Assert.Equal(["subscribed", "delta", "resubscribed", "delta"], new[] { first, delta, again, after }.Select(l => (string?)l["status"]));
        Assert.True((long)again["sequence"]! >= (long)delta["sequence"]!, $"resubscribed at {again["sequence"]} after seeing {delta["sequence"]}");
        Assert.True((long)after["sequence"]! > (long)again["sequence"]!);
    }

    [Fact]
    public async Task A_screen_frozen_for_less_than_the_stall_limit_is_resynced_and_one_frozen_longer_is_closed_with_the_reason()
    {
        await using var feed = api.Feed(api.City.Sensors);
        var token = api.Token(TwinRoles.Ioc);
        // Each screen's link stalls with it (the relay stops taking the server's bytes), so that what the server sends
        // backs up at once; the close comes once a frame has waited the whole limit.
        var shortStall = GeneratedCityTwinApiFactory.MaxStall * 0.6;
        var longStall = GeneratedCityTwinApiFactory.MaxStall + TimeSpan.FromSeconds(8);
        await using var briefLink = new StallingProxy(LiveScreen.HubUrl(api));
        await using var frozenLink = new StallingProxy(LiveScreen.HubUrl(api));
        await using var brief = await NodeCheck.StartAsync("hub-contract.mjs", "stall", briefLink.Rewrite(LiveScreen.HubUrl(api)).ToString(), token, "city",
            ((int)shortStall.TotalMilliseconds).ToString());
        await using var frozen = await NodeCheck.StartAsync("hub-contract.mjs", "stall", frozenLink.Rewrite(LiveScreen.HubUrl(api)).ToString(), token, "city",
            ((int)longStall.TotalMilliseconds).ToString());

        Assert.Equal("subscribed", (string?)(await brief.NextAsync())["status"]);
        Assert.Equal("subscribed", (string?)(await frozen.NextAsync())["status"]);
        Assert.Equal("stalling", (string?)(await brief.NextAsync())["status"]);
        briefLink.Pause(shortStall);
        Assert.Equal("stalling", (string?)(await frozen.NextAsync())["status"]);
        frozenLink.Pause(longStall);

        var resync = await brief.NextAsync();
        Assert.Equal("resync", (string?)resync["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)resync["reason"]));
        Assert.Equal("resubscribed", (string?)(await brief.NextAsync())["status"]);
        Assert.Equal("live", (string?)(await brief.NextAsync())["status"]);
        Assert.Equal(0, await brief.ExitCodeAsync());

        var closed = await frozen.NextAsync();
        Assert.Equal("closed", (string?)closed["status"]);
        Assert.Contains($"stopped reading the live feed for more than {GeneratedCityTwinApiFactory.MaxStall.TotalSeconds:N0} s", (string?)closed["error"]);
        Assert.Equal(0, await frozen.ExitCodeAsync());
    }

    [Fact]
    public async Task Refused_subscriptions_are_one_line_warnings_counted_by_reason()
    {
        var district = api.City.Districts[3].Id;
        var refused = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IocTwin.Telemetry.TwinTelemetry.Name && instrument.Name == "ioctwin.push.refused")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var reason = (string)tags.ToArray().Single(t => t.Key == "reason").Value!;
            lock (refused)
            {
                refused[reason] = refused.GetValueOrDefault(reason) + value;
            }
        });
        listener.Start();

        var token = api.Token(TwinRoles.DistrictOc, districts: [api.City.Districts[0].Id]);
        await using var check = await NodeCheck.StartAsync("hub-contract.mjs", "subscribe", Hub, token,
            $"district:{district},district:no-such-district-{Guid.NewGuid():N},city,nonsense");
        var errors = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var line = await check.NextAsync();
            Assert.Equal("error", (string?)line["status"]);
            errors.Add((string)line["error"]!);
        }
        Assert.Equal(0, await check.ExitCodeAsync());

        Assert.Contains(errors, e => e.Contains($"Forbidden: your token does not cover 'district:{district}'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("A scope is 'city'", StringComparison.Ordinal));
        lock (refused)
        {
            // At least: tests of other collections may be refused meanwhile.
            Assert.True(refused.GetValueOrDefault("forbidden") >= 3, $"forbidden: {refused.GetValueOrDefault("forbidden")}");
            Assert.True(refused.GetValueOrDefault("invalid") >= 1, $"invalid: {refused.GetValueOrDefault("invalid")}");
        }
        var logged = api.Log.Entries.Where(e => e.Message.Contains($"district:{district}", StringComparison.Ordinal)).ToList();
        Assert.Contains(logged, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Refused Subscribe", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(api.Log.Entries, e => e.Level >= LogLevel.Error && e.Message.Contains("Subscribe", StringComparison.Ordinal));
    }
}
