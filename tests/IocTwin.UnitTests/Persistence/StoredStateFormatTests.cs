using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>A sensor's state as stored while history batches were a struct, with the same field ids.</summary>
[GenerateSerializer]
public sealed class SensorStateWithStructBatches
{
    [Id(2)] public long ReadingCount { get; set; }
    [Id(5)] public HashSet<StructBatch> RecentBatches { get; set; } = [];
    [Id(6)] public long LastCommitMs { get; set; }
}

/// <summary>A sensor's state as stored while it held when it was last seen as a nullable date, with the same field id.</summary>
[GenerateSerializer]
public sealed class SensorStateWithDateLastSeen
{
    [Id(4)] public DateTimeOffset? LastSeen { get; set; }
}

[GenerateSerializer]
public readonly record struct StructBatch([property: Id(0)] int Writer, [property: Id(1)] long CommittedMs);

/// <summary>An intervention as stored before interventions were typed: one record for every kind, with the same field ids.</summary>
[GenerateSerializer]
public sealed record UntypedIntervention(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? SegmentId,
    [property: Id(2)] string? DistrictId,
    [property: Id(3)] double? Value,
    [property: Id(4)] string? OriginDistrictId,
    [property: Id(5)] string? DestinationDistrictId,
    [property: Id(6)] double StartMinute,
    [property: Id(7)] double? EndMinute);

/// <summary>A scenario's state as stored before scenarios had owners, with the same field ids.</summary>
[GenerateSerializer]
public sealed class ScenarioStateBeforeOwners
{
    [Id(0)] public ScenarioDefinition? Definition { get; set; }
    [Id(1)] public List<UntypedIntervention> Interventions { get; set; } = [];
    [Id(2)] public ScenarioStatus Status { get; set; }
    [Id(3)] public double Progress { get; set; }
    [Id(4)] public string? Error { get; set; }
    [Id(5)] public string? ReportJson { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A scenario's definition as stored before scenarios had a convergence gap, with the same field ids.</summary>
[GenerateSerializer]
public sealed record ScenarioDefinitionBeforeGap(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset BaselineTime,
    [property: Id(2)] bool FromLive,
    [property: Id(3)] int HorizonMinutes,
    [property: Id(4)] int StepSeconds,
    [property: Id(5)] Dictionary<string, SegmentStatus> ForkedStatuses);

/// <summary>A scenario's state holding such a definition.</summary>
[GenerateSerializer]
public sealed class ScenarioStateBeforeGap
{
    [Id(0)] public ScenarioDefinitionBeforeGap? Definition { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A scenario's definition as stored when scenarios had a convergence gap but no traffic model, with the same field ids.
/// </summary>
[GenerateSerializer]
public sealed record ScenarioDefinitionBeforeModels(
    [property: Id(0)] string Name,
    [property: Id(1)] DateTimeOffset BaselineTime,
    [property: Id(2)] bool FromLive,
    [property: Id(3)] int HorizonMinutes,
    [property: Id(4)] int StepSeconds,
    [property: Id(5)] Dictionary<string, SegmentStatus> ForkedStatuses,
    [property: Id(6)] double? ConvergenceGap);

/// <summary>A scenario's state holding such a definition.</summary>
[GenerateSerializer]
public sealed class ScenarioStateBeforeModels
{
    [Id(0)] public ScenarioDefinitionBeforeModels? Definition { get; set; }
    [Id(2)] public ScenarioStatus Status { get; set; }
}

/// <summary>Grain state stored by an earlier version of the twin loads in this one.</summary>
public sealed class StoredStateFormatTests
{
    [Fact]
    public void A_sensor_state_stored_with_struct_batches_loads_with_the_batches_it_applied()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var stored = serializer.SerializeToArray(new SensorStateWithStructBatches
        {
            ReadingCount = 12,
            RecentBatches = [new(7, 1_000), new(8, 2_000)],
            LastCommitMs = 2_000,
        });

        var loaded = serializer.Deserialize<SensorState>(stored)!;

        Assert.Equal(12, loaded.ReadingCount);
        Assert.Equal(2_000, loaded.LastCommitMs);
        Assert.True(loaded.RecentBatches.SetEquals([new HistoryBatch(7, 1_000), new HistoryBatch(8, 2_000)]));
    }

    [Fact]
    public void When_a_sensor_was_last_seen_loads_as_stored_and_is_stored_as_before()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var seen = new DateTimeOffset(2026, 7, 1, 8, 30, 15, TimeSpan.Zero);

        var loaded = serializer.Deserialize<SensorState>(serializer.SerializeToArray(new SensorStateWithDateLastSeen { LastSeen = seen }))!;
        var storedNow = serializer.Deserialize<SensorStateWithDateLastSeen>(serializer.SerializeToArray(new SensorState { LastSeen = seen }))!;

        Assert.Equal(seen, loaded.LastSeen);
        Assert.Equal(seen, storedNow.LastSeen);
        Assert.Null(serializer.Deserialize<SensorState>(serializer.SerializeToArray(new SensorStateWithDateLastSeen()))!.LastSeen);
    }

    [Fact]
    public void A_scenario_stored_before_it_had_a_convergence_gap_runs_to_the_default_gap()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var created = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var stored = serializer.SerializeToArray(new ScenarioStateBeforeGap
        {
            Definition = new ScenarioDefinitionBeforeGap("bridge closed", created, false, 90, 30, new() { ["seg-1"] = SegmentStatus.Closed }),
            CreatedAt = created,
        });

        var loaded = serializer.Deserialize<ScenarioState>(stored)!;

        Assert.Equal(("bridge closed", 90, 30), (loaded.Definition!.Name, loaded.Definition.HorizonMinutes, loaded.Definition.StepSeconds));
        Assert.Null(loaded.Definition.ConvergenceGap);
        Assert.Equal(1e-4, loaded.Definition.Gap);
        Assert.Equal(TrafficModel.Static, loaded.Definition.Model);
        Assert.Equal(created, loaded.CreatedAt);
    }

    [Fact]
    public void A_scenario_stored_before_scenarios_had_a_traffic_model_loads_as_a_static_one_keeping_its_gap()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var stored = serializer.SerializeToArray(new ScenarioStateBeforeModels
        {
            Definition = new ScenarioDefinitionBeforeModels("bridge closed", DateTimeOffset.UnixEpoch, true, 90, 30, [], 1e-6),
            Status = ScenarioStatus.Draft,
        });

        var loaded = serializer.Deserialize<ScenarioState>(stored)!;

        Assert.Equal("bridge closed", loaded.Definition!.Name);
        Assert.Equal(90, loaded.Definition.HorizonMinutes);
        Assert.Equal(1e-6, loaded.Definition.Gap);
        Assert.Equal(TrafficModel.Static, loaded.Definition.Model);
    }

    [Fact]
    public void A_scenario_stored_before_scenarios_had_owners_loads_as_one_without_a_creator()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var created = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var stored = serializer.SerializeToArray(new ScenarioStateBeforeOwners
        {
            Definition = new ScenarioDefinition("bridge closed", created, false, 60, 60, new() { ["seg-1"] = SegmentStatus.Closed }),
            Interventions = [new UntypedIntervention("close-segment", "seg-2", null, null, null, null, 0, 30)],
            Status = ScenarioStatus.Completed,
            Progress = 1,
            ReportJson = "{}",
            CreatedAt = created,
        });

        var loaded = serializer.Deserialize<ScenarioState>(stored)!;

        Assert.Null(loaded.Creator);
        Assert.Equal("bridge closed", loaded.Definition!.Name);
        Assert.Equal(SegmentStatus.Closed, loaded.Definition.ForkedStatuses["seg-1"]);
        Assert.Equal(new CloseSegmentSpec("seg-2", 0, 30), Assert.Single(loaded.Interventions).ToSpec());
        Assert.Equal(ScenarioStatus.Completed, loaded.Status);
        Assert.Equal("{}", loaded.ReportJson);
        Assert.Equal(created, loaded.CreatedAt);
    }

    [Fact]
    public void Interventions_stored_before_they_were_typed_load_as_their_kinds_with_their_values()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var stored = serializer.SerializeToArray(new ScenarioStateBeforeOwners
        {
            Definition = new ScenarioDefinition("festival", DateTimeOffset.UnixEpoch, true, 120, 60, []),
            Interventions =
            [
                new UntypedIntervention("capacity", "seg-1", null, 900, null, null, 10, null),
                new UntypedIntervention("incident", "seg-2", null, null, null, null, 0, 45),
                new UntypedIntervention("rain", null, "hai-chau", 80, null, null, 5, 65),
                new UntypedIntervention("demand", null, null, 2_000, "son-tra", null, 0, 60),
            ],
        });

        var loaded = serializer.Deserialize<ScenarioState>(stored)!;

        Assert.Equal<InterventionSpec>(
            [
                new CapacitySpec("seg-1", 900, 10, null),
                new IncidentSpec("seg-2", null, 0, 45),
                new RainSpec("hai-chau", 80, 5, 65),
                new DemandSpec(2_000, "son-tra", null, 0, 60),
            ],
            [.. loaded.Interventions.Select(i => i.ToSpec())]);
    }
}

/// <summary>
/// A context entity as the first version that kept them stored it still loads; the format with multi-attribute
/// instances and the index shard's are pinned.
/// </summary>
public sealed class ContextEntityStoredFormatTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private static Serializer Serializer => new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    /// <summary>A ContextEntityState with one Property and one GeoProperty, serialized by the first version that stored one.</summary>
    private const string StoredEntity =
        "ICDoQCd1cm46bmdzaS1sZDpLaW9zazoxQTdodHRwczovL3ZvY2FiLmV4YW1wbGUvS2lvc2sxAf2T123PU3lzdGVtLkNvbGxlY3Rpb25zLkdlbm"
        + "VyaWMuRGljdGlvbmFyeWAyW1tzdHJpbmddLFtJb2NUd2luLk1vZGVsLkNvbnRleHRBdHRyaWJ1dGUsSW9jVHdpbi5BYnN0cmFjdGlvbnNdXQEF"
        + "QUNodHRwczovL3ZvY2FiLmV4YW1wbGUvdGVtcGVyYXR1cmUg6AgDAUEJMjEuNSGAAIAk7W5T3wiBAAAAAAAAAADgQQdDRUxBhXsiaHR0cHM6Ly"
        + "92b2NhYi5leGFtcGxlL2FjY3VyYWN5Ijp7InR5cGUiOiJQcm9wZXJ0eSIsInZhbHVlIjowLjF9fSGAAIAk7W5T3wiBAAAAAAAAAADgIYAAxucQ"
        + "b1PfCIEAAAAAAAAAAODgQEtodHRwczovL3VyaS5ldHNpLm9yZy9uZ3NpLWxkL2xvY2F0aW9uIOgIAwlBWXsidHlwZSI6IlBvaW50IiwiY29vcm"
        + "RpbmF0ZXMiOlsxMDguMiwxNi4wNV19wQHBAcEBIYAAgCTtblPfCIEAAAAAAAAAAOAhgACAJO1uU98IgQAAAAAAAAAA4ODgIYAAgCTtblPfCIEA"
        + "AAAAAAAAAOAhgADG5xBvU98IgQAAAAAAAAAA4EERaGFpLWNoYXXg4A==";

    [Fact]
    public void A_stored_context_entity_loads_with_its_attributes_times_and_district()
    {
        var entity = new ContextEntity("urn:ngsi-ld:Kiosk:1", "https://vocab.example/Kiosk", new Dictionary<string, ContextAttribute>
        {
            ["https://vocab.example/temperature"] = new(ContextAttributeKind.Property, "21.5", Created, "CEL", """{"https://vocab.example/accuracy":{"type":"Property","value":0.1}}""", Created, Created.AddMinutes(1)),
            ["https://uri.etsi.org/ngsi-ld/location"] = new(ContextAttributeKind.GeoProperty, """{"type":"Point","coordinates":[108.2,16.05]}""", null, null, null, Created, Created),
        }, Created, Created.AddMinutes(1), "hai-chau");
        var loaded = Serializer.Deserialize<ContextEntityState>(Convert.FromBase64String(StoredEntity))!.Entity!;

        Assert.Equal(entity.Id, loaded.Id);
        Assert.Equal(entity.Type, loaded.Type);
        Assert.Equal("hai-chau", loaded.DistrictId);
        Assert.Equal(Created.AddMinutes(1), loaded.ModifiedAt);
        Assert.Equal(entity.Attributes["https://vocab.example/temperature"], loaded.Attributes["https://vocab.example/temperature"]);
        Assert.Equal(ContextAttributeKind.GeoProperty, loaded.Attributes["https://uri.etsi.org/ngsi-ld/location"].Kind);
        Assert.Null(loaded.Attributes["https://vocab.example/temperature"].MoreInstances);
    }

    /// <summary>A ContextEntityState with a two-instance multi-attribute and a VocabProperty, as the version that added them stored it.</summary>
    private const string StoredInstances =
        "ICDoQCV1cm46bmdzaS1sZDpUYW5rOjFBNWh0dHBzOi8vdm9jYWIuZXhhbXBsZS9UYW5rMQH9k9dtz1N5c3RlbS5Db2xsZWN0aW9ucy5HZW5lcmlj"
        + "LkRpY3Rpb25hcnlgMltbc3RyaW5nXSxbSW9jVHdpbi5Nb2RlbC5Db250ZXh0QXR0cmlidXRlLElvY1R3aW4uQWJzdHJhY3Rpb25zXV0BBUE3aHR0"
        + "cHM6Ly92b2NhYi5leGFtcGxlL2xldmVsIOgIAwFBBzMuNSGAAIAk7W5T3wiBAAAAAAAAAADgwQHBASGAAIAk7W5T3wiBAAAAAAAAAADgIYAAgCTt"
        + "blPfCIEAAAAAAAAAAODBATEB9CsX9adSZWFkT25seUxpc3RJbnRlcmZhY2VDb2RlY2AxW1tJb2NUd2luLk1vZGVsLkNvbnRleHRBdHRyaWJ1dGUs"
        + "SW9jVHdpbi5BYnN0cmFjdGlvbnNdXQADIegIAwFBBzMuMSGAAIAk7W5T3wiBAAAAAAAAAADgwQHBASGAAIAk7W5T3wiBAAAAAAAAAADgIYAAgCTt"
        + "blPfCIEAAAAAAAAAAOBBM3VybjpuZ3NpLWxkOkRhdGFzZXQ6cmFkYXLBAeDg4EA5aHR0cHM6Ly92b2NhYi5leGFtcGxlL2NvbG91ciDoCAMZQTsi"
        + "aHR0cHM6Ly9jb2xvdXJzLmV4YW1wbGUvUmVkIsEBwQHBASGAAIAk7W5T3wiBAAAAAAAAAADgIYAAgCTtblPfCIEAAAAAAAAAAODBAcEB4OAhgACA"
        + "JO1uU98IgQAAAAAAAAAA4CGAAIAk7W5T3wiBAAAAAAAAAADgwQHg4A==";

    [Fact]
    public void A_stored_multi_attribute_loads_with_each_instance()
    {
        var entity = new ContextEntity("urn:ngsi-ld:Tank:1", "https://vocab.example/Tank", new Dictionary<string, ContextAttribute>
        {
            ["https://vocab.example/level"] = ContextAttribute.Of([
                new(ContextAttributeKind.Property, "3.5", Created, null, null, Created, Created),
                new(ContextAttributeKind.Property, "3.1", Created, null, null, Created, Created) { DatasetId = "urn:ngsi-ld:Dataset:radar" },
            ])!,
            ["https://vocab.example/colour"] = new(ContextAttributeKind.VocabProperty, "\"https://colours.example/Red\"", null, null, null, Created, Created),
        }, Created, Created, null);
        var written = Convert.ToBase64String(Serializer.SerializeToArray(new ContextEntityState { Entity = entity }));
        Assert.True(StoredInstances == written, $"The stored format of a context entity changed; it was written as:\n{written}");

        var loaded = Serializer.Deserialize<ContextEntityState>(Convert.FromBase64String(StoredInstances))!.Entity!;

        var level = loaded.Attributes["https://vocab.example/level"];
        Assert.Equal(["3.5", "3.1"], level.Instances.Select(i => i.ValueJson));
        Assert.Equal([null, "urn:ngsi-ld:Dataset:radar"], level.Instances.Select(i => i.DatasetId));
        Assert.Equal(ContextAttributeKind.VocabProperty, loaded.Attributes["https://vocab.example/colour"].Kind);
    }

    /// <summary>An index shard's state with one entry, as the version that split the index stored it.</summary>
    private const string StoredShard =
        "ICAwATEs1C4dU3RyaW5nQ29tcGFyZXIAAwEB4AEDQSV1cm46bmdzaS1sZDpUYW5rOjEg6MAPQTVodHRwczovL3ZvY2FiLmV4YW1wbGUvVGFua0ER"
        + "aGFpLWNoYXXg4AED4A==";

    [Fact]
    public void A_stored_index_shard_loads_with_its_entries()
    {
        var shard = new ContextEntityIndexShardState { TookOverSingleIndex = true };
        shard.Entries["urn:ngsi-ld:Tank:1"] = new ContextEntityEntry("urn:ngsi-ld:Tank:1", "https://vocab.example/Tank", "hai-chau");
        var written = Convert.ToBase64String(Serializer.SerializeToArray(shard));
        Assert.True(StoredShard == written, $"The stored format of an index shard changed; it was written as:\n{written}");

        var loaded = Serializer.Deserialize<ContextEntityIndexShardState>(Convert.FromBase64String(StoredShard))!;

        Assert.True(loaded.TookOverSingleIndex);
        Assert.Equal(shard.Entries["urn:ngsi-ld:Tank:1"], loaded.Entries["urn:ngsi-ld:Tank:1"]);
    }
}

/// <summary>The split of the context entity index is part of its stored format: an id's shard never changes.</summary>
public sealed class ContextEntityShardTests
{
    [Theory]
    [InlineData("urn:ngsi-ld:Kiosk:1", 8)]
    [InlineData("urn:ngsi-ld:Tank:1", 3)]
    [InlineData("urn:ngsi-ld:Kiosk:hai-chau-07", 9)]
    public void An_ids_shard_is_the_same_in_every_version(string id, int shard) => Assert.Equal(shard, ContextEntityShards.Of(id));

    [Fact]
    public void Ids_spread_over_every_shard()
    {
        var counts = Enumerable.Range(0, 16_000).GroupBy(i => ContextEntityShards.Of($"urn:ngsi-ld:Kiosk:{i}")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ContextEntityShards.Count, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 700, 1300));
    }
}
