using System.Text;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Tests.Domain;

/// <summary>Areas in a GeoJSON import: a tree under the city, checked as one, with segments and sensors in its leaves.</summary>
public sealed class AreaImportTests
{
    private static string Area(string id, string kind, string? parentId, double west, double south, double east, double north, string type = "area") =>
        $$$"""{"type":"Feature","properties":{"type":"{{{type}}}","id":"{{{id}}}","kind":"{{{kind}}}","name":"{{{id}}}"{{{(parentId is null ? "" : $",\"parentId\":\"{parentId}\"")}}}},"geometry":{"type":"Polygon","coordinates":[[[{{{west}}},{{{south}}}],[{{{east}}},{{{south}}}],[{{{east}}},{{{north}}}],[{{{west}}},{{{north}}}],[{{{west}}},{{{south}}}]]]}}""";

    private static string Segment(string id, string areaId, double lon, double lat) =>
        $$$"""{"type":"Feature","properties":{"type":"segment","id":"{{{id}}}","areaId":"{{{areaId}}}","fromNode":"{{{id}}}-a","toNode":"{{{id}}}-b"},"geometry":{"type":"LineString","coordinates":[[{{{lon}}},{{{lat}}}],[{{{lon + 0.01}}},{{{lat}}}]]}}""";

    private static string Sensor(string id, string areaId, double lon, double lat) =>
        $$$"""{"type":"Feature","properties":{"type":"sensor","id":"{{{id}}}","kind":"air-quality","districtId":"{{{areaId}}}"},"geometry":{"type":"Point","coordinates":[{{{lon}}},{{{lat}}}]}}""";

    private static CityImportResult Read(IReadOnlySet<string>? known, params string[] features)
    {
        var json = $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";
        return GeoJsonCityReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), knownDistrictIds: known);
    }

    private static readonly string District = Area("d", "district", null, 108.0, 16.0, 108.2, 16.2, type: "district");
    private static readonly string West = Area("w1", "ward", "d", 108.0, 16.0, 108.1, 16.2);
    private static readonly string East = Area("w2", "ward", "d", 108.1, 16.0, 108.2, 16.2);

    [Fact]
    public void A_three_level_tree_is_read_parents_first_with_segments_and_sensors_placed_in_the_leaf_holding_them()
    {
        var result = Read(null, East, West, District, Segment("s1", "d", 108.03, 16.1), Sensor("air", "d", 108.15, 16.15), Segment("s2", "w2", 108.12, 16.1));

        Assert.Empty(result.Errors);
        Assert.Equal(["d", "w1", "w2"], result.City.Districts.Select(a => a.Id).Take(1).Concat(result.City.Districts.Skip(1).Select(a => a.Id).Order()));
        Assert.Equal((AreaKinds.District, (string?)null), (result.City.Districts[0].Kind, result.City.Districts[0].ParentId));
        Assert.All(result.City.Districts.Skip(1), w => Assert.Equal(("ward", "d"), (w.Kind, w.ParentId)));
        Assert.Equal(["w1", "w2"], result.City.Segments.OrderBy(s => s.Id).Select(s => s.DistrictId));
        Assert.Equal("w2", result.City.Sensors.Single().DistrictId);
    }

    [Fact]
    public void A_multipolygon_area_marked_schematic_keeps_every_part()
    {
        const string islands = """{"type":"Feature","properties":{"type":"area","id":"hoang-sa","kind":"special-zone","name":"Hoàng Sa","schematic":true},"geometry":{"type":"MultiPolygon","coordinates":[[[[111.0,16.0],[111.1,16.0],[111.1,16.1],[111.0,16.0]]],[[[112.0,16.5],[112.1,16.5],[112.1,16.6],[112.0,16.5]]]]}}""";

        var area = Read(null, islands).City.Districts.Single();

        Assert.Equal(("special-zone", true), (area.Kind, area.Schematic));
        Assert.Equal(2, area.Parts.Count());
    }

    [Fact]
    public void Unknown_parents_cycles_and_children_outside_their_parent_are_rejected_with_everything_below_them()
    {
        var result = Read(null,
            District,
            Area("orphan", "ward", "nowhere", 108.0, 16.0, 108.1, 16.1),
            Area("loop-a", "ward", "loop-b", 108.0, 16.0, 108.1, 16.1),
            Area("loop-b", "ward", "loop-a", 108.0, 16.0, 108.1, 16.1),
            Area("outside", "ward", "d", 108.15, 16.15, 108.3, 16.3),
            Area("below-outside", "quarter", "outside", 108.16, 16.16, 108.17, 16.17),
            Segment("s-orphan", "orphan", 108.01, 16.05));

        Assert.Equal(["d"], result.City.Districts.Select(a => a.Id));
        var errors = result.Errors.ToDictionary(e => e.Id!, e => (e.Field, e.Message));
        Assert.Equal(("features[1].properties.parentId", "Unknown parent area 'nowhere'."), errors["orphan"]);
        Assert.Contains("cycle", errors["loop-a"].Message);
        Assert.Contains("cycle", errors["loop-b"].Message);
        Assert.Equal("features[4].geometry", errors["outside"].Field);
        Assert.Contains("not inside", errors["outside"].Message);
        Assert.Contains("'outside' was rejected", errors["below-outside"].Message);
        Assert.Equal("features[6].properties.districtId", errors["s-orphan"].Field);
    }

    [Fact]
    public void A_child_sharing_its_parents_edges_is_inside_it()
    {
        var result = Read(null, District, West, East);

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.City.Districts.Count);
    }

    [Fact]
    public void A_segment_or_sensor_outside_every_leaf_area_of_the_area_it_names_is_rejected()
    {
        var result = Read(null, District, West, East, Segment("far", "d", 109.0, 17.0), Sensor("lost", "d", 107.5, 15.5));

        Assert.Empty(result.City.Segments);
        Assert.Empty(result.City.Sensors);
        Assert.All(result.Errors, e => Assert.Contains("outside every leaf area of 'd'", e.Message));
        Assert.Equal(["features[3].geometry", "features[4].geometry"], result.Errors.Select(e => e.Field));
    }

    [Fact]
    public void A_child_may_hang_under_an_area_the_twin_already_holds()
    {
        var result = Read(new HashSet<string> { "existing" }, Area("w9", "ward", "existing", 108.0, 16.0, 108.1, 16.1), Segment("s9", "w9", 108.02, 16.05));

        Assert.Empty(result.Errors);
        Assert.Equal("existing", result.City.Districts.Single().ParentId);
        Assert.Equal("w9", result.City.Segments.Single().DistrictId);
    }

    [Fact]
    public void Every_level_of_KPIs_is_the_exact_aggregation_of_the_level_below()
    {
        var now = DateTimeOffset.UtcNow;
        DistrictSnapshot Child(string id, double speed, double km) => new(id, id, null,
            DistrictKpis.Empty with { MeanSpeedKmh = new(speed, now), MonitoredKm = new(km, now), CongestedKm = new(km / 2, now), SensorsOnline = new(3, now) }, 1,
            Sectors: new Dictionary<Sector, DistrictKpis> { [Sector.Traffic] = DistrictKpis.Empty with { SensorsOnline = new(3, now) } });
        var own = KpiCalculator.ForDistrictAndSectors([], [], [], now);

        var (area, sectors) = KpiCalculator.ForArea(own, hasOwnMembers: false, [Child("a", 20, 1), Child("b", 50, 3)]);

        // Speed weighted by monitored length: (20 × 1 + 50 × 3) / 4, not the mean of 20 and 50.
        Assert.Equal(42.5, area.MeanSpeedKmh.Value!.Value, 9);
        Assert.Equal((4d, 2d, 6d), (area.MonitoredKm.Value, area.CongestedKm.Value, area.SensorsOnline.Value));
        Assert.Equal(6, sectors[Sector.Traffic].SensorsOnline.Value);
    }

    [Fact]
    public void An_area_with_sensors_of_its_own_and_child_areas_counts_each_sector_over_both_in_order_of_first_appearance()
    {
        var now = DateTimeOffset.UtcNow;
        SensorSnapshot Sensor(string id, SensorKind kind, Sector sector) => new(id, kind, sector, now, new Dictionary<string, double>() { ["aqi"] = 60 }, 1);
        DistrictSnapshot Child(string id, Sector sector, int online) => new(id, id, null,
            DistrictKpis.Empty with { SensorsOnline = new(online, now) }, 1,
            Sectors: new Dictionary<Sector, DistrictKpis> { [sector] = DistrictKpis.Empty with { SensorsOnline = new(online, now) } });
        var own = KpiCalculator.ForDistrictAndSectors([],
            [Sensor("o1", SensorKind.AirQuality, Sector.Environment), Sensor("o2", SensorKind.TrafficCounter, Sector.Traffic)], [], now);

        var (area, sectors) = KpiCalculator.ForArea(own, hasOwnMembers: true, [Child("a", Sector.Flood, 2), Child("b", Sector.Environment, 4)]);

        Assert.Equal(8, area.SensorsOnline.Value);
        Assert.Equal([Sector.Environment, Sector.Traffic, Sector.Flood], sectors.Keys);
        Assert.Equal((5d, 1d, 2d), (sectors[Sector.Environment].SensorsOnline.Value, sectors[Sector.Traffic].SensorsOnline.Value,
            sectors[Sector.Flood].SensorsOnline.Value));
        // The area's own air-quality sensor is the worst (and only) AQI below it, in its sector's KPIs as in the area's.
        Assert.Equal((60d, 60d), (area.WorstAqi.Value, sectors[Sector.Environment].WorstAqi.Value));
    }
}

/// <summary>The Đà Nẵng sample: its districts as they were before July 2025, outlines drawn by hand.</summary>
public sealed class SampleAreaTests
{
    [Fact]
    public void The_sample_districts_load_as_districts_under_the_city_with_their_approximate_outlines_flagged_schematic()
    {
        var city = GeoJsonCityReader.LoadSample();

        Assert.Equal(7, city.Districts.Count);
        Assert.All(city.Districts, d => Assert.Equal((AreaKinds.District, (string?)null, true), (d.Kind, d.ParentId, d.Schematic)));
    }
}

/// <summary>A synthetic city with a second level of wards.</summary>
public sealed class SyntheticWardTests
{
    [Fact]
    public void A_synthetic_city_with_wards_puts_every_segment_and_sensor_in_a_ward_that_holds_it()
    {
        var city = SyntheticCityGenerator.Generate(new SyntheticCityOptions(Districts: 4, Segments: 300, Sensors: 600, Seed: 3, WardsPerDistrict: 5));

        var wards = city.Districts.Where(a => a.Kind == AreaKinds.Ward).ToDictionary(w => w.Id);
        Assert.Equal((4, 20), (city.Districts.Count(a => a.ParentId is null), wards.Count));
        Assert.All(city.Districts, a => Assert.True(a.Schematic));
        Assert.All(wards.Values, w => Assert.True(AreaGeometry.HoldsBoundary(city.Districts.Single(d => d.Id == w.ParentId), w)));
        Assert.All(city.Segments, s => Assert.True(AreaGeometry.Holds(wards[s.DistrictId], AreaGeometry.Midpoint(s.Geometry), AreaGeometry.EdgeToleranceM)));
        Assert.All(city.Sensors.Where(s => s.SegmentId is null), s => Assert.True(AreaGeometry.Holds(wards[s.DistrictId], s.Location, AreaGeometry.EdgeToleranceM)));
    }
}
