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

[GenerateSerializer]
public readonly record struct StructBatch([property: Id(0)] int Writer, [property: Id(1)] long CommittedMs);

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
}
