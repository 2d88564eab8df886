using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Query;
using IocTwin.Model;

namespace IocTwin.Tests.NgsiLd;

public sealed class GeoQueryTests
{
    // Around Da Nang's Dragon Bridge; 0.001° of latitude is about 111 m.
    private static readonly GeoPoint Bridge = new(108.2270, 16.0612);

    private static NgsiEntity At(string geometryJson) =>
        new("urn:ngsi-ld:Thing:x", "https://example.org/Thing",
            new Dictionary<string, NgsiAttribute> { [Sdm.Location] = NgsiAttribute.Geo(JsonNode.Parse(geometryJson)!.AsObject()) }, "d", null);

    private static string Point(double lon, double lat) => $$"""{"type":"Point","coordinates":[{{lon}},{{lat}}]}""";

    private static string Square(double lon, double lat, double half) =>
        $"[[[{lon - half},{lat - half}],[{lon + half},{lat - half}],[{lon + half},{lat + half}],[{lon - half},{lat + half}],[{lon - half},{lat - half}]]]";

    private static bool Query(string georel, string geometry, string coordinates, NgsiEntity entity) =>
        GeoQuery.Parse(georel, geometry, coordinates, Sdm.Location).Matches(entity);

    [Fact]
    public void Near_measures_metres_on_the_ground()
    {
        var north = new GeoPoint(Bridge.Lon, Bridge.Lat + 0.001);
        var metres = Bridge.DistanceTo(north);
        var entity = At(Point(north.Lon, north.Lat));
        var here = $"[{Bridge.Lon},{Bridge.Lat}]";
        Assert.True(Query($"near;maxDistance=={metres + 2}", "Point", here, entity));
        Assert.False(Query($"near;maxDistance=={metres - 2}", "Point", here, entity));
        Assert.True(Query($"near;minDistance=={metres - 2}", "Point", here, entity));
        Assert.False(Query($"near;minDistance=={metres + 2}", "Point", here, entity));
        // To a road: the distance to its nearest point, not its ends.
        var road = At($$"""{"type":"LineString","coordinates":[[{{Bridge.Lon - 0.01}},{{north.Lat}}],[{{Bridge.Lon + 0.01}},{{north.Lat}}]]}""");
        Assert.True(Query($"near;maxDistance=={metres + 2}", "Point", here, road));
    }

    [Fact]
    public void Within_and_contains_are_each_others_converse()
    {
        var point = At(Point(Bridge.Lon, Bridge.Lat));
        var area = At($$"""{"type":"Polygon","coordinates":{{Square(Bridge.Lon, Bridge.Lat, 0.002)}}}""");
        Assert.True(Query("within", "Polygon", Square(Bridge.Lon, Bridge.Lat, 0.001), point));
        Assert.False(Query("within", "Polygon", Square(Bridge.Lon + 0.01, Bridge.Lat, 0.001), point));
        Assert.True(Query("contains", "Point", $"[{Bridge.Lon},{Bridge.Lat}]", area));
        Assert.False(Query("contains", "Point", $"[{Bridge.Lon + 0.01},{Bridge.Lat}]", area));
        Assert.False(Query("within", "Polygon", Square(Bridge.Lon, Bridge.Lat, 0.001), area));
    }

    [Fact]
    public void Intersects_and_disjoint_split_every_geometry_in_two()
    {
        var road = At($$"""{"type":"LineString","coordinates":[[{{Bridge.Lon - 0.001}},{{Bridge.Lat}}],[{{Bridge.Lon + 0.001}},{{Bridge.Lat}}]]}""");
        var crossing = $"[[{Bridge.Lon},{Bridge.Lat - 0.001}],[{Bridge.Lon},{Bridge.Lat + 0.001}]]";
        var beside = $"[[{Bridge.Lon + 0.002},{Bridge.Lat - 0.001}],[{Bridge.Lon + 0.002},{Bridge.Lat + 0.001}]]";
        Assert.True(Query("intersects", "LineString", crossing, road));
        Assert.False(Query("disjoint", "LineString", crossing, road));
        Assert.False(Query("intersects", "LineString", beside, road));
        Assert.True(Query("disjoint", "LineString", beside, road));
        Assert.True(Query("intersects", "Polygon", Square(Bridge.Lon + 0.001, Bridge.Lat, 0.0005), road));
    }

    [Fact]
    public void Equals_and_overlaps()
    {
        var area = At($$"""{"type":"Polygon","coordinates":{{Square(Bridge.Lon, Bridge.Lat, 0.002)}}}""");
        Assert.True(Query("equals", "Polygon", Square(Bridge.Lon, Bridge.Lat, 0.002), area));
        Assert.False(Query("equals", "Polygon", Square(Bridge.Lon, Bridge.Lat, 0.001), area));
        Assert.True(Query("overlaps", "Polygon", Square(Bridge.Lon + 0.002, Bridge.Lat, 0.002), area));
        Assert.False(Query("overlaps", "Polygon", Square(Bridge.Lon, Bridge.Lat, 0.001), area));
        Assert.False(Query("overlaps", "Polygon", Square(Bridge.Lon + 0.01, Bridge.Lat, 0.001), area));
        Assert.True(Query("equals", "Point", $"[{Bridge.Lon},{Bridge.Lat}]", At(Point(Bridge.Lon, Bridge.Lat))));
    }

    [Fact]
    public void An_entity_without_the_geoproperty_matches_no_geo_query()
    {
        var bare = new NgsiEntity("urn:ngsi-ld:Thing:y", "https://example.org/Thing", new Dictionary<string, NgsiAttribute>(), "d", null);
        Assert.False(Query("near;minDistance==0", "Point", $"[{Bridge.Lon},{Bridge.Lat}]", bare));
        Assert.False(Query("disjoint", "Point", $"[{Bridge.Lon},{Bridge.Lat}]", bare));
    }

    [Theory]
    [InlineData("near", "Point", "[108.2,16.0]")]
    [InlineData("near;maxDistance==-1", "Point", "[108.2,16.0]")]
    [InlineData("near;maxDistance=abc", "Point", "[108.2,16.0]")]
    [InlineData("near;maxDistance==10", "Polygon", "[[[108.2,16.0],[108.3,16.0],[108.3,16.1],[108.2,16.0]]]")]
    [InlineData("within;maxDistance==10", "Polygon", "[[[108.2,16.0],[108.3,16.0],[108.3,16.1],[108.2,16.0]]]")]
    [InlineData("beside", "Point", "[108.2,16.0]")]
    [InlineData("within", "Circle", "[108.2,16.0]")]
    [InlineData("within", "Point", "not json")]
    [InlineData("within", "Point", "[]")]
    [InlineData("within", "Point", "[500,16.0]")]
    [InlineData("within", "Polygon", "[[[108.2,16.0],[108.3,16.0]]]")]
    [InlineData("within", null, "[108.2,16.0]")]
    public void Refuses_bad_geo_queries(string georel, string? geometry, string coordinates) =>
        Assert.Throws<NgsiLdRequestException>(() => GeoQuery.Parse(georel, geometry, coordinates, Sdm.Location));
}
