using System.Text.Json;
using System.Text.RegularExpressions;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Tests.Domain;

public sealed partial class SyntheticCityGeneratorTests
{
    private static readonly SyntheticCityOptions Large = new(Districts: 100, Segments: 10_000, Sensors: 50_000);

    private static readonly Lazy<CitySpec> LargeCity = new(() => SyntheticCityGenerator.Generate(Large));

    [GeneratedRegex("^d-[0-9]{4}$")]
    private static partial Regex DistrictId();

    [GeneratedRegex("^s-[0-9]{6}$")]
    private static partial Regex SegmentId();

    [GeneratedRegex("^x-[0-9]{7}$")]
    private static partial Regex SensorId();

    [Fact]
    public void Large_city_has_the_requested_counts_and_well_formed_unique_ids()
    {
        var city = LargeCity.Value;

        Assert.Equal(100, city.Districts.Count);
        Assert.Equal(10_000, city.Segments.Count);
        Assert.Equal(50_000, city.Sensors.Count);

        Assert.All(city.Districts, d => Assert.Matches(DistrictId(), d.Id));
        Assert.All(city.Segments, s => Assert.Matches(SegmentId(), s.Id));
        Assert.All(city.Sensors, s => Assert.Matches(SensorId(), s.Id));
        Assert.Equal(city.Districts.Count, city.Districts.Select(d => d.Id).Distinct().Count());
        Assert.Equal(city.Segments.Count, city.Segments.Select(s => s.Id).Distinct().Count());
        Assert.Equal(city.Sensors.Count, city.Sensors.Select(s => s.Id).Distinct().Count());
        Assert.Equal("d-0001", city.Districts[0].Id);
        Assert.Equal("s-010000", city.Segments[^1].Id);
        Assert.Equal("x-0050000", city.Sensors[^1].Id);
    }

    [Fact]
    public void Large_city_road_graph_is_connected()
    {
        var city = LargeCity.Value;

        Assert.Single(RoadGraph.Components(city.Segments).Values.Distinct());
    }

    [Fact]
    public void Large_city_references_resolve_and_coverage_is_complete()
    {
        var city = LargeCity.Value;
        var districts = city.Districts.Select(d => d.Id).ToHashSet();
        var segments = city.Segments.ToDictionary(s => s.Id);

        Assert.All(city.Segments, s => Assert.Contains(s.DistrictId, districts));
        Assert.All(city.Sensors, s =>
        {
            Assert.Contains(s.DistrictId, districts);
            Assert.Equal(SectorCatalog.Current.SectorOf(s.Kind), s.Sector);
            if (s.SegmentId is not null)
            {
                Assert.Equal(segments[s.SegmentId].DistrictId, s.DistrictId);
            }
        });

        // Every segment has a traffic counter, every district a sensor of every sector, every kind is used.
        var counted = city.Sensors.Where(s => s.Kind == SensorKind.TrafficCounter).Select(s => s.SegmentId).ToHashSet();
        Assert.All(city.Segments, s => Assert.Contains(s.Id, counted));
        var sectorsByDistrict = city.Sensors.GroupBy(s => s.DistrictId).ToDictionary(g => g.Key, g => g.Select(s => s.Sector).ToHashSet());
        Assert.All(city.Districts, d => Assert.Equal(Sector.Compiled.Count, sectorsByDistrict[d.Id].Count));
        Assert.Equal(SensorKind.Compiled.Count, city.Sensors.Select(s => s.Kind).Distinct().Count());

        var onSegments = city.Sensors.Count(s => s.SegmentId is not null);
        Assert.InRange(onSegments, city.Sensors.Count / 2 + 1, city.Sensors.Count - 1);
    }

    [Fact]
    public void Large_city_segments_are_plausible_roads_that_pass_the_topology_rules()
    {
        var city = LargeCity.Value;

        Assert.All(city.Segments, s =>
        {
            Assert.Empty(TopologyRules.Validate(s));
            Assert.InRange(s.LengthM, 100, 500); // blocks of about 250 m
            Assert.InRange(s.CapacityVph / s.Lanes, 400, 2100);
            Assert.Contains(s.RoadClass!, GeoJsonCityReader.RoadClasses);
        });
        Assert.All(city.Districts, d => Assert.Empty(TopologyRules.Validate(d)));
        Assert.All(city.Sensors, s => Assert.Empty(TopologyRules.Validate(s)));

        // A road hierarchy, not one uniform class.
        var classes = city.Segments.GroupBy(s => s.RoadClass!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["arterial", "collector", "expressway", "local"], classes.Keys.Order());
        Assert.True(classes["local"] > classes["arterial"] && classes["arterial"] > classes["expressway"]);

        // Near Đà Nẵng.
        var lons = city.Segments.SelectMany(s => s.Geometry).Select(p => p.Lon).ToList();
        var lats = city.Segments.SelectMany(s => s.Geometry).Select(p => p.Lat).ToList();
        Assert.InRange(lons.Average(), 108.15, 108.25);
        Assert.InRange(lats.Average(), 16.00, 16.10);
    }

    [Fact]
    public void The_same_seed_gives_the_same_city_and_another_seed_another()
    {
        var options = new SyntheticCityOptions(Districts: 9, Segments: 800, Sensors: 3000, Seed: 42);

        var first = Serialize(SyntheticCityGenerator.Generate(options));
        var again = Serialize(SyntheticCityGenerator.Generate(options));
        var other = Serialize(SyntheticCityGenerator.Generate(options with { Seed = 43 }));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(1, 2, 10)]
    [InlineData(3, 7, 2)]
    [InlineData(7, 50, 40)]
    [InlineData(5, 13, 200)]
    [InlineData(12, 300, 1000)]
    [InlineData(40, 100, 100)]
    public void Any_size_gives_exact_counts_a_connected_graph_and_sensors_inside_their_district(int districts, int segments, int sensors)
    {
        var city = SyntheticCityGenerator.Generate(new SyntheticCityOptions(districts, segments, sensors, Seed: districts + segments));

        Assert.Equal((districts, segments, sensors), (city.Districts.Count, city.Segments.Count, city.Sensors.Count));
        if (segments > 0)
        {
            Assert.Single(RoadGraph.Components(city.Segments).Values.Distinct());
        }

        var segmentIds = city.Segments.Select(s => s.Id).ToHashSet();
        var allIds = city.Districts.Select(d => d.Id).Concat(segmentIds).Concat(city.Sensors.Select(s => s.Id)).ToList();
        Assert.Equal(allIds.Count, allIds.Distinct().Count());
        Assert.All(city.Sensors, s =>
        {
            if (s.SegmentId is not null)
            {
                Assert.Contains(s.SegmentId, segmentIds);
            }
            var containing = city.Districts.Where(d => RoadGraph.Contains(d.Boundary, s.Location)).Select(d => d.Id).ToList();
            Assert.Equal([s.DistrictId], containing);
        });
        if (sensors >= segments)
        {
            var counted = city.Sensors.Where(s => s.Kind == SensorKind.TrafficCounter).Select(s => s.SegmentId).ToHashSet();
            Assert.All(city.Segments, s => Assert.Contains(s.Id, counted));
        }
    }

    [Fact]
    public void Districts_tile_the_city_without_overlap()
    {
        var city = SyntheticCityGenerator.Generate(new SyntheticCityOptions(Districts: 10, Segments: 500, Sensors: 0));

        // Every road node lies in exactly one district.
        foreach (var point in city.Segments.SelectMany(s => s.Geometry).Distinct())
        {
            Assert.Single(city.Districts, d => RoadGraph.Contains(d.Boundary, point));
        }
        // A sensible tiling: no district is more than a few times the size of another.
        var areas = city.Districts.Select(d => (d.Boundary[2].Lon - d.Boundary[0].Lon) * (d.Boundary[2].Lat - d.Boundary[0].Lat)).ToList();
        Assert.True(areas.Max() / areas.Min() < 3, $"areas range {areas.Min()}..{areas.Max()}");
    }

    [Theory]
    [InlineData(0, 10, 10)]
    [InlineData(-1, 10, 10)]
    [InlineData(1, -1, 10)]
    [InlineData(1, 10, -1)]
    public void Invalid_options_are_rejected(int districts, int segments, int sensors)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SyntheticCityGenerator.Generate(new SyntheticCityOptions(districts, segments, sensors)));
    }

    private static string Serialize(CitySpec city) => JsonSerializer.Serialize(city);


}
