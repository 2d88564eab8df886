using IocTwin.Domain;
using IocTwin.Feed;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class SyntheticFeedTests
{
    private static readonly TimeSpan DaNang = TimeSpan.FromHours(7);

    private static readonly SegmentSpec Road = new("s", "Nguyễn Văn Linh", "hai-chau", "a", "b", [new(108.2, 16.0), new(108.21, 16.0)],
        1000, 4, 3600, 50, SegmentStatus.Open, "arterial", false);

    private static readonly SensorSpec Counter = new("c", SensorKind.TrafficCounter, Sector.Traffic, new(108.205, 16.0), "hai-chau", "s", null);

    [Fact]
    public void Rush_hour_is_busier_and_slower_than_the_night()
    {
        var feed = new SyntheticFeed();
        // A day dry at both hours, so rain does not blur the comparison.
        var day = Enumerable.Range(0, 60).Select(d => new DateTimeOffset(2026, 11, 1, 0, 0, 0, DaNang).AddDays(d))
            .First(d => feed.RainfallMmPerHour("hai-chau", d.AddHours(17.5)) == 0 && feed.RainfallMmPerHour("hai-chau", d.AddHours(3)) == 0);
        var rush = feed.Next(Counter, Road, day.AddHours(17.5));
        var night = feed.Next(Counter, Road, day.AddHours(3));

        Assert.True(rush.Values[ReadingNames.Flow] > 3 * night.Values[ReadingNames.Flow]);
        Assert.True(rush.Values[ReadingNames.Speed] < night.Values[ReadingNames.Speed]);
    }

    [Fact]
    public void Every_kind_of_sensor_gets_finite_values_and_the_feed_repeats_for_a_seed()
    {
        var time = new DateTimeOffset(2026, 11, 25, 12, 0, 0, DaNang);
        foreach (var kind in SensorKind.Compiled)
        {
            var sensor = Counter with { Kind = kind };
            var reading = new SyntheticFeed(3).Next(sensor, Road, time);
            Assert.NotEmpty(reading.Values);
            Assert.All(reading.Values.Values, v => Assert.True(double.IsFinite(v)));
            Assert.Equal(reading.Values, new SyntheticFeed(3).Next(sensor, Road, time).Values);
        }
    }

    [Fact]
    public void Rain_raises_water_levels()
    {
        var feed = new SyntheticFeed();
        var start = new DateTimeOffset(2026, 11, 25, 0, 0, 0, DaNang);
        var windows = Enumerable.Range(0, 96).Select(i => start.AddMinutes(30 * i)).ToList();
        var rainy = windows.First(t => feed.RainfallMmPerHour("hai-chau", t) > 20);
        var dry = windows.First(t => feed.RainfallMmPerHour("hai-chau", t) == 0);
        var gauge = Counter with { Kind = SensorKind.WaterLevel, SegmentId = null };

        Assert.True(feed.Next(gauge, null, rainy).Values[ReadingNames.Level] > feed.Next(gauge, null, dry).Values[ReadingNames.Level]);
    }
}
