using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Grains;

/// <summary>What a sensor remembers of the history batches it applied, so that none is applied twice.</summary>
public sealed class SensorStateTests
{
    [Fact]
    public void A_batch_is_applied_once_whatever_order_batches_arrive_in()
    {
        var state = new SensorState();
        HistoryBatch[] batches = [new(1, 5_000), new(2, 3_000), new(1, 3_000), new(1, 9_000), new(3, 1_000)];

        Assert.All(batches, b => Assert.True(state.MarkApplied(b)));
        // Equal batches, other instances: as a batch caught up from history, then delivered live.
        Assert.All(batches, b => Assert.False(state.MarkApplied(new HistoryBatch(b.Writer, b.CommittedMs))));
        Assert.True(state.MarkApplied(new HistoryBatch(2, 5_000)));
        Assert.True(state.RecentBatches.SetEquals([.. batches, new HistoryBatch(2, 5_000)]));
    }

    [Fact]
    public void Batches_older_than_the_memory_are_forgotten_and_the_rest_still_count_as_applied()
    {
        var state = new SensorState();
        for (var ms = 1_000; ms <= 100_000; ms += 1_000)
        {
            state.MarkApplied(new HistoryBatch(ms % 3, ms));
        }

        state.ForgetAppliedBefore(95_000);

        Assert.Equal(6, state.RecentBatches.Count);
        Assert.False(state.MarkApplied(new HistoryBatch(95_000 % 3, 95_000)));
        Assert.False(state.MarkApplied(new HistoryBatch(100_000 % 3, 100_000)));
        Assert.True(state.MarkApplied(new HistoryBatch(0, 101_000)));
        Assert.DoesNotContain(state.RecentBatches, b => b.CommittedMs < 95_000);
    }

    [Fact]
    public void Applied_batches_survive_a_stored_round_trip()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var state = new SensorState { ReadingCount = 3 };
        state.MarkApplied(new HistoryBatch(1, 2_000));
        state.MarkApplied(new HistoryBatch(2, 1_000));

        var loaded = serializer.Deserialize<SensorState>(serializer.SerializeToArray(state))!;

        Assert.False(loaded.MarkApplied(new HistoryBatch(1, 2_000)));
        Assert.False(loaded.MarkApplied(new HistoryBatch(2, 1_000)));
        Assert.True(loaded.MarkApplied(new HistoryBatch(1, 1_000)));
    }

    [Fact]
    public void When_a_sensor_was_last_seen_survives_a_stored_round_trip_and_never_seen_stays_unset()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var seen = new DateTimeOffset(2026, 7, 1, 8, 30, 15, 250, TimeSpan.FromHours(7));

        var loaded = serializer.Deserialize<SensorState>(serializer.SerializeToArray(new SensorState { LastSeen = seen }))!;
        var never = serializer.Deserialize<SensorState>(serializer.SerializeToArray(new SensorState()))!;

        Assert.Equal(seen, loaded.LastSeen);
        Assert.Equal(seen.UtcTicks, loaded.LastSeen!.Value.UtcTicks);
        Assert.Null(never.LastSeen);
    }

    [Fact]
    public void Sensors_read_from_stored_rows_share_one_copy_of_their_sector_and_kind()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        SensorSnapshot Stored() => serializer.Deserialize<SensorSnapshot>(serializer.SerializeToArray(
            new SensorSnapshot("s-1", SensorKind.FromId("tide-" + "gauge"), Sector.FromId("coa" + "st"), null, [], 0)))!;

        var (a, b) = (Stored(), Stored());

        Assert.Same(a.Sector.Id, b.Sector.Id);
        Assert.Same(a.Kind.Id, b.Kind.Id);
    }
}
