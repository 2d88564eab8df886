using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

/// <summary>
/// An area keeps each segment's sensor totals between its reports and counts again only what changed: its KPIs must be
/// those counted sensor by sensor, also as sensors age into stale and offline with no new snapshot.
/// </summary>
public sealed class SegmentTotalsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);

    private static SensorSnapshot Sensor(string id, SensorKind kind, Sector sector, DateTimeOffset? seen, string name, double value) =>
        new(id, kind, sector, seen, new Dictionary<string, double>() { [name] = value }, 1);

    private static SegmentSnapshot Segment(string id, double speed, params SensorSnapshot[] sensors) =>
        new(id, 1000, SegmentStatus.Open, new SegmentTraffic(null, speed, null, LevelOfService.B, null, Start), sensors, 1);

    private static string Counted((DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) kpis) =>
        JsonSerializer.Serialize(new { kpis.Area, Sectors = kpis.Sectors.OrderBy(s => s.Key.Id).ToList() });

    private static void AssertSameAsCountedOneByOne(KpiCalculator.SegmentTotals totals, List<SegmentSnapshot> segments,
        List<SensorSnapshot> direct, DateTimeOffset now) =>
        Assert.Equal(
            Counted(KpiCalculator.ForDistrictAndSectors(segments, direct, [Sector.Flood], now)),
            Counted(KpiCalculator.ForDistrictAndSectors(segments, direct, [Sector.Flood], now, totals)));

    [Fact]
    public void Kpis_from_kept_segment_totals_match_counting_every_sensor_as_time_passes_and_segments_change()
    {
        var totals = new KpiCalculator.SegmentTotals();
        List<SegmentSnapshot> segments =
        [
            Segment("r1", 30,
                Sensor("c1", SensorKind.TrafficCounter, Sector.Traffic, Start, ReadingNames.Speed, 30),
                Sensor("w1", SensorKind.WaterLevel, Sector.Flood, Start.AddMinutes(-4), ReadingNames.Level, 0.4)),
            Segment("r2", 45,
                Sensor("a1", SensorKind.AirQuality, Sector.Environment, Start.AddMinutes(-6), ReadingNames.Aqi, 160),
                Sensor("w2", SensorKind.WaterLevel, Sector.Flood, Start.AddMinutes(-1), ReadingNames.Level, 0.9)),
        ];
        List<SensorSnapshot> direct = [Sensor("a2", SensorKind.AirQuality, Sector.Environment, Start, ReadingNames.Aqi, 120)];

        AssertSameAsCountedOneByOne(totals, segments, direct, Start);
        var before = KpiCalculator.ForDistrictAndSectors(segments, direct, [], Start, totals).District;
        Assert.Equal(0.9, before.MaxWaterLevelM.Value);
        Assert.Equal(160, before.WorstAqi.Value);

        // No new snapshot: w2 (heard a minute before the start) goes stale after five minutes, then offline after fifteen,
        // and the water level it held no longer counts.
        foreach (var minutes in new[] { 1, 4, 5, 9, 10, 14, 16, 30 })
        {
            AssertSameAsCountedOneByOne(totals, segments, direct, Start.AddMinutes(minutes).AddSeconds(1));
        }
        // A clock set back (a replay of the same snapshots) counts as of its own time too.
        AssertSameAsCountedOneByOne(totals, segments, direct, Start);
        var later = KpiCalculator.ForDistrictAndSectors(segments, direct, [], Start.AddMinutes(16), totals).District;
        Assert.Equal(0, later.SensorsOnline.Value);
        Assert.Null(later.MaxWaterLevelM.Value);

        // r1 reports anew with a higher level; r2 leaves the area.
        segments = [Segment("r1", 20,
            Sensor("c1", SensorKind.TrafficCounter, Sector.Traffic, Start.AddMinutes(17), ReadingNames.Speed, 20),
            Sensor("w1", SensorKind.WaterLevel, Sector.Flood, Start.AddMinutes(17), ReadingNames.Level, 1.2))];
        AssertSameAsCountedOneByOne(totals, segments, direct, Start.AddMinutes(17));
        var moved = KpiCalculator.ForDistrictAndSectors(segments, direct, [], Start.AddMinutes(17), totals).District;
        Assert.Equal(1.2, moved.MaxWaterLevelM.Value);
        Assert.Equal(2, moved.SensorsOnline.Value);
        Assert.Equal(1, moved.SensorsOffline.Value);
    }

    [Fact]
    public void Segments_counted_again_with_other_sectors_give_the_kpis_and_sector_order_of_counting_every_sensor()
    {
        var totals = new KpiCalculator.SegmentTotals();
        // The sectors in the order the area reports them, not sorted.
        string InOrder(List<SegmentSnapshot> segments, DateTimeOffset now, KpiCalculator.SegmentTotals? kept)
        {
            var (area, sectors) = KpiCalculator.ForDistrictAndSectors(segments, [], [], now, kept);
            return JsonSerializer.Serialize(new { area, Sectors = sectors.ToList() });
        }
        void AssertSame(List<SegmentSnapshot> segments, DateTimeOffset now) =>
            Assert.Equal(InOrder(segments, now, null), InOrder(segments, now, totals));

        var r2 = Segment("r2", 40, Sensor("c2", SensorKind.TrafficCounter, Sector.Traffic, Start, ReadingNames.Speed, 40));
        AssertSame([
            Segment("r1", 30,
                Sensor("w1", SensorKind.WaterLevel, Sector.Flood, Start, ReadingNames.Level, 0.4),
                Sensor("c1", SensorKind.TrafficCounter, Sector.Traffic, Start, ReadingNames.Speed, 30)),
            r2,
        ], Start);

        // r1's sensors now belong to other sectors, in another order; then r2 gains a sector while r1 stays as it is.
        var r1 = Segment("r1", 25,
            Sensor("a1", SensorKind.AirQuality, Sector.Environment, Start.AddSeconds(5), ReadingNames.Aqi, 90),
            Sensor("c1", SensorKind.TrafficCounter, Sector.Traffic, Start.AddSeconds(5), ReadingNames.Speed, 25));
        AssertSame([r1, r2], Start.AddSeconds(5));
        List<SegmentSnapshot> both = [r1, Segment("r2", 35,
            Sensor("w2", SensorKind.WaterLevel, Sector.Flood, Start.AddSeconds(6), ReadingNames.Level, 1.1),
            Sensor("a2", SensorKind.AirQuality, Sector.Environment, Start.AddSeconds(6), ReadingNames.Aqi, 150),
            Sensor("c2", SensorKind.TrafficCounter, Sector.Traffic, Start.AddSeconds(6), ReadingNames.Speed, 35))];
        AssertSame(both, Start.AddSeconds(6));
        var kpis = KpiCalculator.ForDistrictAndSectors(both, [], [], Start.AddSeconds(6), totals);
        Assert.Equal([Sector.Environment, Sector.Traffic, Sector.Flood], kpis.Sectors.Keys);
        Assert.Equal(1.1, kpis.Sectors[Sector.Flood].MaxWaterLevelM.Value);
        Assert.Equal(1, kpis.Sectors[Sector.Flood].SensorsOnline.Value);
        Assert.Equal(150, kpis.District.WorstAqi.Value);
    }
}
