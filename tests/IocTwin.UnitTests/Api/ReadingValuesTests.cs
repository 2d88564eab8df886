using System.Text.Json;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming.Shared;
using IocTwin.Model;
using MessagePack;
using MessagePack.Resolvers;

namespace IocTwin.Tests.Api;

public sealed class ReadingValuesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 8, 1, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Values_are_found_by_name_and_a_name_given_twice_keeps_its_last_value()
    {
        ReadingValues values = [new("speed", 30), new("flow", 1200), new("speed", 31.5)];

        Assert.Equal(2, values.Count);
        Assert.Equal((31.5, 1200.0), (values["speed"], values["flow"]));
        Assert.False(values.TryGetValue("occupancy", out _));
        Assert.Throws<KeyNotFoundException>(() => values["occupancy"]);
        Assert.Equal(["speed", "flow"], values.Keys);
    }

    [Fact]
    public void Many_values_with_repeated_names_keep_each_names_last_value_in_first_given_order()
    {
        var pairs = Enumerable.Range(0, 3_000).Select(i => KeyValuePair.Create($"v{i % 1_000}", (double)i)).ToArray();

        var values = ReadingValues.Create(pairs);

        Assert.Equal(1_000, values.Count);
        Assert.Equal(("v0", 2_000.0), (values.Pairs[0].Key, values.Pairs[0].Value));
        Assert.Equal(2_999, values["v999"]);
        Assert.Equal(values.Pairs.ToArray(), ReadingValues.From(values.ToDictionary()).Pairs.ToArray());
    }

    [Fact]
    public void A_reading_builder_refuses_a_repeated_name_and_starts_empty_after_each_reading()
    {
        var builder = new ReadingValues.Builder();
        Assert.True(builder.TryAdd("aqi", 80));
        Assert.False(builder.TryAdd(new string("aqi".ToCharArray()), 90));
        Assert.True(builder.TryAdd("pm25", 21));

        var first = builder.Take();
        builder.TryAdd("level", 0.4);
        var second = builder.Take();

        Assert.Equal([new("aqi", 80), new("pm25", 21)], first.Pairs.ToArray());
        Assert.Equal([new("level", 0.4)], second.Pairs.ToArray());
        Assert.Same(ReadingValues.Empty, builder.Take());
    }

    [Fact]
    public void Values_that_are_all_acceptable_are_kept_as_they_are_and_others_lose_only_the_refused()
    {
        ReadingValues values = [new("aqi", 80), new("pm25", -3)];
        ReadingValues fine = [new("aqi", 80)];

        Assert.Same(fine, fine.Where((_, value) => value >= 0));
        Assert.Equal([new("aqi", 80)], values.Where((_, value) => value >= 0).Pairs.ToArray());
    }

    [Fact]
    public void A_reading_reads_and_writes_its_values_as_a_json_object_of_numbers()
    {
        var json = JsonSerializer.Serialize(new Reading(At, [new("speed", 31.5), new("flow", 1480)]), TwinJson.Options);

        Assert.Equal("""{"timestamp":"2026-12-08T01:30:00+00:00","values":{"speed":31.5,"flow":1480}}""", json);
        var read = JsonSerializer.Deserialize<Reading>(json, TwinJson.Options)!;
        Assert.Equal([new("speed", 31.5), new("flow", 1480)], read.Values.Pairs.ToArray());
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Reading>(
            """{"timestamp":"2026-12-08T01:30:00+00:00","values":{"speed":"fast"}}""", TwinJson.Options));
    }

    [Fact]
    public void A_sensor_with_its_last_reading_goes_over_the_hubs_messagepack_as_maps_of_numbers()
    {
        var options = ContractlessStandardResolver.Options.WithResolver(HubMessagePack.Resolver(ContractlessStandardResolver.Instance));
        ReadingValues values = [new("speed", 31.5), new("flow", 1480)];
        var sensor = new SensorView("tc-1", "Cầu Rồng east", SensorKind.TrafficCounter, Sector.Traffic, null, "hai-chau", "road-1",
            new Reading(At, values), SensorHealth.Online, 12, 3, At, values);

        var bytes = MessagePackSerializer.Serialize(sensor, options);

        var read = MessagePackSerializer.Deserialize<SensorView>(bytes, options);
        Assert.Equal([new("speed", 31.5), new("flow", 1480)], read.LastReading!.Values.Pairs.ToArray());
        Assert.Equal(1480, read.Values["flow"]);
        // A .NET client with the standard resolver reads them too.
        var client = MessagePackSerializer.Deserialize<SensorView>(bytes, ContractlessStandardResolver.Options);
        Assert.Equal([new("speed", 31.5), new("flow", 1480)], client.LastReading!.Values.Pairs.ToArray());
        // Any MessagePack reader sees plain maps of names to numbers, as a dictionary would have been written.
        var plain = (Dictionary<object, object>)MessagePackSerializer.Deserialize<object>(bytes, ContractlessStandardResolver.Options);
        var lastReading = (Dictionary<object, object>)plain[nameof(SensorView.LastReading)];
        Assert.Equal(new Dictionary<object, object> { ["speed"] = 31.5, ["flow"] = 1480.0 }, lastReading[nameof(Reading.Values)]);
    }
}
