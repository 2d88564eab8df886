using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>A reading as stored while its values were a dictionary, with the same field ids.</summary>
[GenerateSerializer]
public sealed record ReadingWithDictionary(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] Dictionary<string, double> Values);

/// <summary>A sensor's state as stored while readings held a dictionary, with the same field ids.</summary>
[GenerateSerializer]
public sealed class SensorStateWithDictionaryReading
{
    [Id(1)] public ReadingWithDictionary? LastReading { get; set; }
    [Id(2)] public long ReadingCount { get; set; }
}

/// <summary>A sensor's snapshot, as segments and areas stored it while its values were a dictionary.</summary>
[GenerateSerializer]
public sealed record SnapshotWithDictionary(
    [property: Id(0)] string SensorId,
    [property: Id(4)] Dictionary<string, double> Values,
    [property: Id(5)] long ReadingCount);

public sealed class ReadingValuesStoredFormatTests
{
    private static readonly Serializer Serializer =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static readonly DateTimeOffset At = new(2026, 12, 8, 1, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_sensor_state_stored_with_dictionary_values_loads_with_every_value()
    {
        var stored = Serializer.SerializeToArray(new SensorStateWithDictionaryReading
        {
            LastReading = new(At, new() { ["speed"] = 31.5, ["flow"] = 1480, ["occupancy"] = 42.5 }),
            ReadingCount = 7,
        });

        var loaded = Serializer.Deserialize<SensorState>(stored)!;

        Assert.Equal(At, loaded.LastReading!.Timestamp);
        Assert.Equal([new("speed", 31.5), new("flow", 1480), new("occupancy", 42.5)], loaded.LastReading.Values.Pairs.ToArray());
        Assert.Equal(7, loaded.ReadingCount);
    }

    [Fact]
    public void Values_are_stored_in_the_same_bytes_as_the_dictionary_they_replace()
    {
        var before = Serializer.SerializeToArray(new ReadingWithDictionary(At, new() { ["aqi"] = 81, ["pm25"] = 24.2 }));
        var now = Serializer.SerializeToArray(new Reading(At, [new("aqi", 81), new("pm25", 24.2)]));

        Assert.Equal(before, now);
        var readBack = Serializer.Deserialize<ReadingWithDictionary>(now)!;
        Assert.Equal(new Dictionary<string, double> { ["aqi"] = 81, ["pm25"] = 24.2 }, readBack.Values);
    }

    [Fact]
    public void A_snapshot_stored_with_dictionary_values_loads_with_them_and_an_empty_one_stays_empty()
    {
        var full = Serializer.Deserialize<SensorSnapshot>(
            Serializer.SerializeToArray(new SnapshotWithDictionary("wl-1", new() { ["level"] = 0.42 }, 3)))!;
        var empty = Serializer.Deserialize<SensorSnapshot>(
            Serializer.SerializeToArray(new SnapshotWithDictionary("wl-2", [], 0)))!;

        Assert.Equal(("wl-1", 0.42, 3L), (full.SensorId, full.Values["level"], full.ReadingCount));
        Assert.Empty(empty.Values);
    }
}
