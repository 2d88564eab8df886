using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Tests.Domain;

public sealed class GeoJsonCityReaderTests
{
    private static readonly Lazy<CitySpec> SampleCity = new(GeoJsonCityReader.LoadSample);

    private static CitySpec Sample => SampleCity.Value;

    private static readonly string[] EastDistricts = ["son-tra", "ngu-hanh-son"];

    private static readonly string[] HanRiverBridges =
        ["Cầu Rồng", "Cầu Sông Hàn", "Cầu Trần Thị Lý", "Cầu Thuận Phước", "Cầu Nguyễn Văn Trỗi", "Cầu Tiên Sơn"];

    // ------------------------------------------------------------------ the Đà Nẵng sample

    [Fact]
    public void Sample_has_the_seven_districts_with_their_Vietnamese_names()
    {
        var names = Sample.Districts.ToDictionary(d => d.Id, d => d.Name);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["hai-chau"] = "Hải Châu",
                ["thanh-khe"] = "Thanh Khê",
                ["son-tra"] = "Sơn Trà",
                ["ngu-hanh-son"] = "Ngũ Hành Sơn",
                ["lien-chieu"] = "Liên Chiểu",
                ["cam-le"] = "Cẩm Lệ",
                ["hoa-vang"] = "Hòa Vang",
            },
            names);
        Assert.Equal("Hai Chau", Sample.Districts.Single(d => d.Id == "hai-chau").NameEn);
        Assert.All(Sample.Districts, d => Assert.True(d.Boundary.Count >= 4, d.Id));
        Assert.Equal("danang", Sample.Id);
        Assert.Equal("Đà Nẵng", Sample.Name);
    }

    [Fact]
    public void Sample_size_is_a_city_not_a_toy()
    {
        Assert.InRange(Sample.Segments.Count, 60, 120);
        Assert.InRange(Sample.Sensors.Count, 250, 400);
        Assert.All(Sample.Districts, d => Assert.True(Sample.Segments.Count(s => s.DistrictId == d.Id) >= 3, d.Id));
        Assert.Equal(SensorKind.Compiled.Order(), Sample.Sensors.Select(s => s.Kind).Distinct().Order());
    }

    [Fact]
    public void Sample_references_resolve_and_a_sensor_on_a_segment_shares_its_district()
    {
        var districtIds = Sample.Districts.Select(d => d.Id).ToHashSet();
        var segments = Sample.Segments.ToDictionary(s => s.Id);

        Assert.All(Sample.Segments, s => Assert.Contains(s.DistrictId, districtIds));
        Assert.All(Sample.Sensors, s =>
        {
            Assert.Contains(s.DistrictId, districtIds);
            if (s.SegmentId is not null)
            {
                Assert.True(segments.TryGetValue(s.SegmentId, out var segment), $"{s.Id} -> {s.SegmentId}");
                Assert.Equal(segment.DistrictId, s.DistrictId);
            }
        });
        var allIds = Sample.Districts.Select(d => d.Id).Concat(segments.Keys).Concat(Sample.Sensors.Select(s => s.Id)).ToList();
        Assert.Equal(allIds.Count, allIds.Distinct().Count());
    }

    [Fact]
    public void Sample_road_graph_is_connected()
    {
        var components = RoadGraph.Components(Sample.Segments);

        Assert.Single(components.Values.Distinct());
        Assert.All(Sample.Segments, s => Assert.True(s.LengthM > 0 && s.Lanes is >= 1 and <= 12, s.Id));
    }

    [Fact]
    public void Han_River_bridges_are_the_only_links_between_east_and_west()
    {
        var bridges = Sample.Segments.Where(s => s.RoadClass == "bridge").ToList();
        Assert.Equal(HanRiverBridges.Order(), bridges.Select(b => b.Name).Order());

        var withoutBridges = Sample.Segments.Where(s => s.RoadClass != "bridge").ToList();
        var components = RoadGraph.Components(withoutBridges);
        var eastNodes = Nodes(withoutBridges.Where(s => EastDistricts.Contains(s.DistrictId))).ToList();
        var westNodes = Nodes(withoutBridges.Where(s => !EastDistricts.Contains(s.DistrictId))).ToList();
        var haiChauNodes = Nodes(withoutBridges.Where(s => s.DistrictId == "hai-chau")).ToList();
        Assert.NotEmpty(eastNodes);
        Assert.NotEmpty(haiChauNodes);

        // Without the bridges the city falls into exactly two pieces: Sơn Trà with Ngũ Hành Sơn, and the rest.
        Assert.Equal(2, components.Values.Distinct().Count());
        var east = components[eastNodes[0]];
        Assert.All(eastNodes, n => Assert.Equal(east, components[n]));
        Assert.All(westNodes, n => Assert.NotEqual(east, components[n]));
        Assert.DoesNotContain(haiChauNodes, n => components[n] == east);

        // Each bridge has one end on each bank.
        Assert.All(bridges, b =>
        {
            var fromEast = components.TryGetValue(b.FromNode, out var f) && f == east;
            var toEast = components.TryGetValue(b.ToNode, out var t) && t == east;
            Assert.True(fromEast != toEast, b.Name);
        });
    }

    [Fact]
    public void Closing_any_one_bridge_leaves_the_city_connected()
    {
        foreach (var bridge in Sample.Segments.Where(s => s.RoadClass == "bridge"))
        {
            var pieces = RoadGraph.Components(Sample.Segments.Where(s => s.Id != bridge.Id)).Values.Distinct().Count();
            var connected = pieces == 1;
            Assert.True(connected, $"closing {bridge.Name} splits the city into {pieces}");
        }
    }

    [Fact]
    public void Every_district_has_sensors_of_every_sector_and_every_segment_a_traffic_counter()
    {
        foreach (var district in Sample.Districts)
        {
            var sectors = Sample.Sensors.Where(s => s.DistrictId == district.Id).Select(s => s.Sector).Distinct().Order();
            Assert.Equal(Sector.Compiled.Order(), sectors);
        }

        var counted = Sample.Sensors.Where(s => s.Kind == SensorKind.TrafficCounter).Select(s => s.SegmentId).ToHashSet();
        Assert.All(Sample.Segments, s => Assert.Contains(s.Id, counted));
        Assert.All(Sample.Sensors, s => Assert.Equal(SectorCatalog.Current.SectorOf(s.Kind), s.Sector));
    }

    [Fact]
    public void Sensors_lie_inside_their_own_district_only_and_on_their_segment()
    {
        var segments = Sample.Segments.ToDictionary(s => s.Id);
        Assert.All(Sample.Sensors, sensor =>
        {
            var containing = Sample.Districts.Where(d => RoadGraph.Contains(d.Boundary, sensor.Location)).Select(d => d.Id).ToList();
            Assert.Equal([sensor.DistrictId], containing);
            if (sensor.SegmentId is { } segmentId)
            {
                Assert.True(DistanceToLineM(sensor.Location, segments[segmentId].Geometry) < 50, $"{sensor.Id} is off {segmentId}");
            }
        });
    }

    // ------------------------------------------------------------------ good features

    private const string GoodDistrict =
        """{"type":"Feature","properties":{"type":"district","id":"d1","name":"Hải Châu","nameEn":"Hai Chau"},"geometry":{"type":"Polygon","coordinates":[[[108.20,16.05],[108.23,16.05],[108.23,16.08],[108.20,16.08],[108.20,16.05]]]}}""";

    private const string GoodSegment =
        """{"type":"Feature","properties":{"type":"segment","id":"seg1","name":"Bạch Đằng","districtId":"d1","fromNode":"n1","toNode":"n2","lanes":4,"capacityVph":3600,"freeFlowSpeedKmh":50,"roadClass":"arterial","oneWay":true},"geometry":{"type":"LineString","coordinates":[[108.21,16.06],[108.215,16.065],[108.22,16.06]]}}""";

    private const string GoodSensor =
        """{"type":"Feature","properties":{"type":"sensor","id":"sen1","name":"Counter","kind":"traffic-counter","sector":"traffic","districtId":"d1","segmentId":"seg1"},"geometry":{"type":"Point","coordinates":[108.215,16.065]}}""";

    [Fact]
    public void Good_features_are_read_with_all_their_fields()
    {
        var result = Read(Collection(GoodDistrict, GoodSegment, GoodSensor), cityId: "test-city", cityName: "Test");

        Assert.Empty(result.Errors);
        Assert.Equal(("test-city", "Test"), (result.City.Id, result.City.Name));

        var district = Assert.Single(result.City.Districts);
        Assert.Equal(("d1", "Hải Châu", "Hai Chau", 5), (district.Id, district.Name, district.NameEn, district.Boundary.Count));
        Assert.Equal(new GeoPoint(108.23, 16.08), district.Boundary[2]);

        var segment = Assert.Single(result.City.Segments);
        Assert.Equal(("seg1", "Bạch Đằng", "d1", "n1", "n2"), (segment.Id, segment.Name, segment.DistrictId, segment.FromNode, segment.ToNode));
        Assert.Equal((4, 3600.0, 50.0, "arterial", true, SegmentStatus.Open),
            (segment.Lanes, segment.CapacityVph, segment.FreeFlowSpeedKmh, segment.RoadClass, segment.OneWay, segment.Status));
        Assert.Equal(3, segment.Geometry.Count);
        Assert.Equal(GeoPoint.PolylineLength(segment.Geometry), segment.LengthM, 6);
        Assert.InRange(segment.LengthM, 1400, 1600); // two legs of ~740 m

        var sensor = Assert.Single(result.City.Sensors);
        Assert.Equal(("sen1", SensorKind.TrafficCounter, Sector.Traffic, "d1", "seg1", "Counter"),
            (sensor.Id, sensor.Kind, sensor.Sector, sensor.DistrictId, sensor.SegmentId, sensor.Name));
        Assert.Equal(new GeoPoint(108.215, 16.065), sensor.Location);
    }

    [Fact]
    public void Enumerations_are_kebab_case_and_case_insensitive_and_lengthM_overrides_the_geometry()
    {
        var segment = Feature(GoodSegment, p => { p["status"] = "Incident"; p["lengthM"] = 1234.5; });
        var camera = Feature(GoodSensor, p => { p["id"] = "cam1"; p["kind"] = "SPEED-Camera"; p["sector"] = "Traffic"; });
        var people = Feature(GoodSensor, p => { p["id"] = "pc1"; p["kind"] = "people-counter"; p["sector"] = "public-safety"; p.Remove("segmentId"); });

        var result = Read(Collection(GoodDistrict, segment, camera, people));

        Assert.Empty(result.Errors);
        Assert.Equal(SegmentStatus.Incident, result.City.Segments[0].Status);
        Assert.Equal(1234.5, result.City.Segments[0].LengthM);
        Assert.Equal(SensorKind.SpeedCamera, result.City.Sensors.Single(s => s.Id == "cam1").Kind);
        var pc = result.City.Sensors.Single(s => s.Id == "pc1");
        Assert.Equal((SensorKind.PeopleCounter, Sector.PublicSafety, (string?)null), (pc.Kind, pc.Sector, pc.SegmentId));
    }

    [Fact]
    public void Optional_fields_take_defaults()
    {
        var segment = Feature(GoodSegment, p =>
        {
            foreach (var name in new[] { "lanes", "capacityVph", "freeFlowSpeedKmh", "oneWay", "name" })
            {
                p.Remove(name);
            }
            p["roadClass"] = "expressway";
        });
        // No sector (the kind's own) and no district (the segment's).
        var sensor = Feature(GoodSensor, p => { p["kind"] = "water-level"; p.Remove("sector"); p.Remove("districtId"); });

        var result = Read(Collection(GoodDistrict, segment, sensor));

        Assert.Empty(result.Errors);
        var s = result.City.Segments[0];
        Assert.Equal(("seg1", 2, false, SegmentStatus.Open), (s.Name, s.Lanes, s.OneWay, s.Status));
        Assert.Equal(2 * 1800.0, s.CapacityVph);
        Assert.Equal(90.0, s.FreeFlowSpeedKmh);
        var sensorSpec = result.City.Sensors[0];
        Assert.Equal((Sector.Flood, "d1"), (sensorSpec.Sector, sensorSpec.DistrictId));
    }

    // ------------------------------------------------------------------ bad features

    public static TheoryData<string, string, string> BadFeatures() => new()
    {
        { "unknown type", Feature(GoodSensor, p => { p["id"] = "x"; p["type"] = "building"; }), "properties.type" },
        { "missing type", Feature(GoodSensor, p => { p["id"] = "x"; p.Remove("type"); }), "properties.type" },
        { "id with a space", Feature(GoodSensor, p => p["id"] = "sen 2"), "properties.id" },
        { "id with a slash", Feature(GoodSensor, p => p["id"] = "sen/2"), "properties.id" },
        { "empty id", Feature(GoodSensor, p => p["id"] = ""), "properties.id" },
        { "missing id", Feature(GoodSensor, p => p.Remove("id")), "properties.id" },
        { "numeric id", Feature(GoodSensor, p => p["id"] = 7), "properties.id" },
        { "id of 129 characters", Feature(GoodSensor, p => p["id"] = new string('a', 129)), "properties.id" },
        { "duplicate id", Feature(GoodSegment, p => p["name"] = "Copy"), "properties.id" },
        { "duplicate id across kinds", Feature(GoodSensor, p => p["id"] = "d1"), "properties.id" },
        { "district as a LineString", Feature(GoodSegment, p => { p["type"] = "district"; p["id"] = "d2"; }), "geometry" },
        { "segment as a Point", Feature(GoodSensor, p => { p["type"] = "segment"; p["id"] = "seg2"; p["fromNode"] = "a"; p["toNode"] = "b"; }), "geometry" },
        { "sensor as a Polygon", Feature(GoodDistrict, p => { p["type"] = "sensor"; p["id"] = "sen2"; p["kind"] = "noise"; p["districtId"] = "d1"; }), "geometry" },
        { "segment with one position", Geometry(Feature(GoodSegment, p => p["id"] = "seg2"), """{"type":"LineString","coordinates":[[108.21,16.06]]}"""), "geometry.coordinates" },
        { "segment of zero length", Geometry(Feature(GoodSegment, p => p["id"] = "seg2"), """{"type":"LineString","coordinates":[[108.21,16.06],[108.21,16.06]]}"""), "geometry.coordinates" },
        { "district ring of two points", Geometry(Feature(GoodDistrict, p => p["id"] = "d2"), """{"type":"Polygon","coordinates":[[[108.2,16.0],[108.3,16.1]]]}"""), "geometry.coordinates[0]" },
        { "longitude out of range", Geometry(Feature(GoodSensor, p => p["id"] = "sen2"), """{"type":"Point","coordinates":[200.0,16.0]}"""), "geometry.coordinates" },
        { "latitude out of range", Geometry(Feature(GoodSensor, p => p["id"] = "sen2"), """{"type":"Point","coordinates":[108.2,-91]}"""), "geometry.coordinates" },
        { "coordinates as strings", Geometry(Feature(GoodSensor, p => p["id"] = "sen2"), """{"type":"Point","coordinates":["108.2","16.0"]}"""), "geometry.coordinates" },
        { "bad position inside a line", Geometry(Feature(GoodSegment, p => p["id"] = "seg2"), """{"type":"LineString","coordinates":[[108.21,16.06],[108.22,95]]}"""), "geometry.coordinates[1]" },
        { "missing geometry", Geometry(Feature(GoodSensor, p => p["id"] = "sen2"), "null"), "geometry" },
        { "unknown sensor kind", Feature(GoodSensor, p => { p["id"] = "sen2"; p["kind"] = "thermometer"; }), "properties.kind" },
        { "numeric sensor kind", Feature(GoodSensor, p => { p["id"] = "sen2"; p["kind"] = "1"; }), "properties.kind" },
        { "missing sensor kind", Feature(GoodSensor, p => { p["id"] = "sen2"; p.Remove("kind"); }), "properties.kind" },
        { "unknown sector", Feature(GoodSensor, p => { p["id"] = "sen2"; p["sector"] = "police"; }), "properties.sector" },
        { "unknown status", Feature(GoodSegment, p => { p["id"] = "seg2"; p["status"] = "broken"; }), "properties.status" },
        { "zero lanes", Feature(GoodSegment, p => { p["id"] = "seg2"; p["lanes"] = 0; }), "properties.lanes" },
        { "thirteen lanes", Feature(GoodSegment, p => { p["id"] = "seg2"; p["lanes"] = 13; }), "properties.lanes" },
        { "fractional lanes", Feature(GoodSegment, p => { p["id"] = "seg2"; p["lanes"] = 2.5; }), "properties.lanes" },
        { "zero capacity", Feature(GoodSegment, p => { p["id"] = "seg2"; p["capacityVph"] = 0; }), "properties.capacityVph" },
        { "negative capacity", Feature(GoodSegment, p => { p["id"] = "seg2"; p["capacityVph"] = -100; }), "properties.capacityVph" },
        { "capacity as a string", Feature(GoodSegment, p => { p["id"] = "seg2"; p["capacityVph"] = "1800"; }), "properties.capacityVph" },
        { "capacity beyond any road", Feature(GoodSegment, p => { p["id"] = "seg2"; p["capacityVph"] = 40000; }), "properties.capacityVph" },
        { "speed too low", Feature(GoodSegment, p => { p["id"] = "seg2"; p["freeFlowSpeedKmh"] = 4; }), "properties.freeFlowSpeedKmh" },
        { "speed too high", Feature(GoodSegment, p => { p["id"] = "seg2"; p["freeFlowSpeedKmh"] = 151; }), "properties.freeFlowSpeedKmh" },
        { "negative length", Feature(GoodSegment, p => { p["id"] = "seg2"; p["lengthM"] = -5; }), "properties.lengthM" },
        { "unknown road class", Feature(GoodSegment, p => { p["id"] = "seg2"; p["roadClass"] = "motorway"; }), "properties.roadClass" },
        { "oneWay as a string", Feature(GoodSegment, p => { p["id"] = "seg2"; p["oneWay"] = "yes"; }), "properties.oneWay" },
        { "loop segment", Feature(GoodSegment, p => { p["id"] = "seg2"; p["toNode"] = "n1"; }), "properties.toNode" },
        { "missing fromNode", Feature(GoodSegment, p => { p["id"] = "seg2"; p.Remove("fromNode"); }), "properties.fromNode" },
        { "name of 201 characters", Feature(GoodSegment, p => { p["id"] = "seg2"; p["name"] = new string('x', 201); }), "properties.name" },
        { "segment in an unknown district", Feature(GoodSegment, p => { p["id"] = "seg2"; p["districtId"] = "nowhere"; }), "properties.districtId" },
        { "segment without a district", Feature(GoodSegment, p => { p["id"] = "seg2"; p.Remove("districtId"); }), "properties.districtId" },
        { "sensor in an unknown district", Feature(GoodSensor, p => { p["id"] = "sen2"; p.Remove("segmentId"); p["districtId"] = "nowhere"; }), "properties.districtId" },
        { "sensor without district or segment", Feature(GoodSensor, p => { p["id"] = "sen2"; p.Remove("segmentId"); p.Remove("districtId"); }), "properties.districtId" },
        { "sensor on an unknown segment", Feature(GoodSensor, p => { p["id"] = "sen2"; p["segmentId"] = "seg-missing"; }), "properties.segmentId" },
        { "sensor with an empty segment id", Feature(GoodSensor, p => { p["id"] = "sen2"; p["segmentId"] = ""; }), "properties.segmentId" },
        { "feature that is not an object", "42", "" },
        { "feature without properties", """{"type":"Feature","geometry":{"type":"Point","coordinates":[108.2,16.0]}}""", "properties" },
        { "feature of the wrong GeoJSON type", Feature(GoodSensor, p => p["id"] = "sen2", featureType: "Point"), "type" },
    };

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public void A_bad_feature_is_reported_with_its_field_and_left_out_while_good_ones_are_kept(string because, string bad, string field)
    {
        var result = Read(Collection(GoodDistrict, GoodSegment, GoodSensor, bad));

        var expected = field.Length == 0 ? "features[3]" : $"features[3].{field}";
        var reported = result.Errors.Any(e => e.FeatureIndex == 3 && e.Field == expected);
        Assert.True(reported,
            $"{because}: expected an error at {expected}, got [{string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}"))}]");
        Assert.All(result.Errors, e => Assert.Equal(3, e.FeatureIndex));
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));

        // The three good features survive untouched, and nothing of the bad one gets in.
        Assert.Equal(["d1"], result.City.Districts.Select(d => d.Id));
        Assert.Equal(["seg1"], result.City.Segments.Select(s => s.Id));
        Assert.Equal("Bạch Đằng", result.City.Segments[0].Name);
        Assert.Equal(["sen1"], result.City.Sensors.Select(s => s.Id));
    }

    [Fact]
    public void Errors_carry_the_feature_id_and_every_bad_feature_is_reported_in_order()
    {
        var json = Collection(
            Feature(GoodSensor, p => { p["id"] = "early"; p["kind"] = "bogus"; }),
            GoodDistrict,
            Feature(GoodSegment, p => { p["id"] = "seg-bad"; p["lanes"] = 99; p["freeFlowSpeedKmh"] = 999; }),
            GoodSegment,
            GoodSensor,
            Feature(GoodSensor, p => { p["id"] = "late"; p["sector"] = "nope"; }));

        var result = Read(json);

        Assert.Equal(
            [
                (0, "early", "features[0].properties.kind"),
                (2, "seg-bad", "features[2].properties.lanes"),
                (2, "seg-bad", "features[2].properties.freeFlowSpeedKmh"),
                (5, "late", "features[5].properties.sector"),
            ],
            result.Errors.Select(e => (e.FeatureIndex, e.Id, e.Field)));
        Assert.Equal(["seg1"], result.City.Segments.Select(s => s.Id));
        Assert.Equal(["sen1"], result.City.Sensors.Select(s => s.Id));
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void A_rejected_segment_takes_its_sensors_with_it()
    {
        var json = Collection(GoodDistrict, Feature(GoodSegment, p => p["districtId"] = "nowhere"), GoodSensor);

        var result = Read(json);

        Assert.Equal(
            [("features[1].properties.districtId", "seg1"), ("features[2].properties.segmentId", "sen1")],
            result.Errors.Select(e => (e.Field, e.Id)));
        Assert.Single(result.City.Districts);
        Assert.Empty(result.City.Segments);
        Assert.Empty(result.City.Sensors);
    }

    [Fact]
    public void A_sensor_on_a_segment_must_be_in_the_segments_district()
    {
        var other = Feature(GoodDistrict, p => { p["id"] = "d2"; p["name"] = "Sơn Trà"; });
        var misplaced = Feature(GoodSensor, p => { p["id"] = "sen2"; p["districtId"] = "d2"; });

        var result = Read(Collection(GoodDistrict, other, GoodSegment, GoodSensor, misplaced));

        var error = Assert.Single(result.Errors);
        Assert.Equal((4, "sen2", "features[4].properties.districtId"), (error.FeatureIndex, error.Id, error.Field));
        Assert.Contains("d1", error.Message);
        Assert.Equal(["sen1"], result.City.Sensors.Select(s => s.Id));
    }

    [Fact]
    public void References_may_point_at_known_ids_outside_the_file()
    {
        var segment = Feature(GoodSegment, p => p["districtId"] = "existing-d");
        var sensor = Feature(GoodSensor, p => { p["id"] = "sen2"; p["segmentId"] = "existing-s"; p["districtId"] = "existing-d"; });
        var json = Collection(segment, sensor);

        var without = Read(json);
        Assert.Equal(["features[0].properties.districtId", "features[1].properties.segmentId", "features[1].properties.districtId"],
            without.Errors.Select(e => e.Field));
        Assert.Empty(without.City.Segments);
        Assert.Empty(without.City.Sensors);

        var with = Read(json,
            knownDistrictIds: new HashSet<string> { "existing-d" },
            knownSegmentIds: new HashSet<string> { "existing-s" });
        Assert.Empty(with.Errors);
        Assert.Equal("existing-d", with.City.Segments.Single().DistrictId);
        Assert.Equal(("existing-s", "existing-d"), (with.City.Sensors.Single().SegmentId, with.City.Sensors.Single().DistrictId));

        // A sensor on a segment that is not in the file must say which district it is in.
        var noDistrict = Read(Collection(Feature(sensor, p => p.Remove("districtId"))),
            knownDistrictIds: new HashSet<string> { "existing-d" },
            knownSegmentIds: new HashSet<string> { "existing-s" });
        Assert.Equal(["features[0].properties.districtId"], noDistrict.Errors.Select(e => e.Field));
    }

    // ------------------------------------------------------------------ not a FeatureCollection

    [Theory]
    [InlineData("[]")]
    [InlineData("\"FeatureCollection\"")]
    [InlineData("null")]
    [InlineData("""{"features":[]}""")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":null}""")]
    [InlineData("""{"type":"FeatureCollection"}""")]
    [InlineData("""{"type":"FeatureCollection","features":{}}""")]
    [InlineData("""{"type":"featurecollection","features":[]}""")]
    public void A_root_that_is_not_a_FeatureCollection_throws_FormatException(string json)
    {
        var fromStream = Assert.Throws<FormatException>(() => Read(json));
        Assert.Contains("FeatureCollection", fromStream.Message);

        using var document = JsonDocument.Parse(json);
        Assert.Throws<FormatException>(() => GeoJsonCityReader.Read(document.RootElement));
    }

    [Theory]
    [InlineData("")]
    [InlineData("""{"type":"FeatureCollection","features":[""")]
    [InlineData("not json")]
    public void Malformed_JSON_throws_FormatException(string json)
    {
        var ex = Assert.Throws<FormatException>(() => Read(json));
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public void An_empty_FeatureCollection_is_an_empty_city()
    {
        var result = Read("""{"type":"FeatureCollection","features":[]}""");

        Assert.Empty(result.Errors);
        Assert.Empty(result.City.Districts);
        Assert.Empty(result.City.Segments);
        Assert.Empty(result.City.Sensors);
    }

    // ------------------------------------------------------------------ helpers

    private static CityImportResult Read(string json, string cityId = "danang", string cityName = "Đà Nẵng",
        IReadOnlySet<string>? knownDistrictIds = null, IReadOnlySet<string>? knownSegmentIds = null)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return GeoJsonCityReader.Read(stream, cityId, cityName, knownDistrictIds, knownSegmentIds);
    }

    private static string Collection(params string[] features) =>
        $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    /// <summary>A copy of <paramref name="feature"/> with its properties changed.</summary>
    private static string Feature(string feature, Action<JsonObject> change, string? featureType = null)
    {
        var node = JsonNode.Parse(feature)!.AsObject();
        change(node["properties"]!.AsObject());
        if (featureType is not null)
        {
            node["type"] = featureType;
        }
        return node.ToJsonString();
    }

    /// <summary>A copy of <paramref name="feature"/> with another geometry.</summary>
    private static string Geometry(string feature, string geometry)
    {
        var node = JsonNode.Parse(feature)!.AsObject();
        node["geometry"] = JsonNode.Parse(geometry);
        return node.ToJsonString();
    }

    private static IEnumerable<string> Nodes(IEnumerable<SegmentSpec> segments) =>
        segments.SelectMany(s => new[] { s.FromNode, s.ToNode }).Distinct();



    /// <summary>Distance from a point to a polyline, in metres, on a local flat projection.</summary>
    private static double DistanceToLineM(GeoPoint p, IReadOnlyList<GeoPoint> line)
    {
        var mPerLat = 111_195.0;
        var mPerLon = mPerLat * Math.Cos(double.DegreesToRadians(p.Lat));
        var best = double.MaxValue;
        for (var i = 1; i < line.Count; i++)
        {
            var (ax, ay) = ((line[i - 1].Lon - p.Lon) * mPerLon, (line[i - 1].Lat - p.Lat) * mPerLat);
            var (bx, by) = ((line[i].Lon - p.Lon) * mPerLon, (line[i].Lat - p.Lat) * mPerLat);
            var (dx, dy) = (bx - ax, by - ay);
            var t = Math.Clamp(-(ax * dx + ay * dy) / (dx * dx + dy * dy), 0, 1);
            best = Math.Min(best, Math.Sqrt(Math.Pow(ax + t * dx, 2) + Math.Pow(ay + t * dy, 2)));
        }
        return best;
    }
}
