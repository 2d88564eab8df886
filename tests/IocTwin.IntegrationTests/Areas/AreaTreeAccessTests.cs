using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.NgsiLd;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Api.TwinApiClient;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Areas;

/// <summary>Access follows the tree of areas as it changes: moved wards, areas refused as their own parent, context entities in wards.</summary>
[Collection(AreasCollection.Name)]
public sealed class AreaTreeAccessTests(AreasTwinFactory api)
{
    private HttpClient Ioc => api.Http;

    private static string AreaBody(string name, string kind, string? parentId, double west, double south, double east, double north) =>
        JsonSerializer.Serialize(new
        {
            name, kind, parentId,
            boundary = new[] { new[] { west, south }, new[] { east, south }, new[] { east, north }, new[] { west, north } },
        });

    [Fact]
    public async Task A_ward_moved_to_another_district_leaves_the_first_districts_OC_and_reaches_the_others_on_REST_NGSI_LD_and_the_hub()
    {
        var tag = Tag();
        var (first, second, ward) = ($"da-{tag}", $"db-{tag}", $"w-{tag}");
        // The second district surrounds the first, so the ward lies inside either.
        await ImportAsync(Ioc,
            Area(first, "district", null, 102.0, 10.0, 102.2, 10.2),
            Area(second, "district", null, 101.9, 9.9, 102.3, 10.3),
            Area(ward, "ward", first, 102.0, 10.0, 102.1, 10.2),
            CountedSegment($"s-{tag}", ward, 102.03, 10.1));
        using var firstOc = api.CreateClient(TwinRoles.DistrictOc, districts: [first]);
        using var secondOc = api.CreateClient(TwinRoles.DistrictOc, districts: [second]);
        await using var firstScreen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: [first]));
        Assert.Contains(ward, (await firstScreen.Subscribe($"area:{first}")).Districts.Select(d => d.Id));
        Assert.Equal(HttpStatusCode.OK, (await firstOc.GetAsync($"/api/v1/areas/{ward}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await secondOc.GetAsync($"/api/v1/areas/{ward}")).StatusCode);

        var moved = await Ioc.PutJson($"/api/v1/areas/{ward}", AreaBody($"Khu {ward}", "ward", second, 102.0, 10.0, 102.1, 10.2));
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());

        foreach (var path in new[] { $"/api/v1/areas/{ward}", $"/api/v1/segments/s-{tag}" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await firstOc.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await secondOc.GetAsync(path)).StatusCode);
        }
        var areaEntity = $"/entities/urn:ngsi-ld:AdministrativeArea:{ward}";
        Assert.Equal(HttpStatusCode.NotFound, (await firstOc.Ngsi(areaEntity)).Status);
        Assert.Equal(HttpStatusCode.OK, (await secondOc.Ngsi(areaEntity)).Status);

        // The first district's screens are told to take a new snapshot, which no longer holds the ward.
        await Eventually.Until(() => Task.FromResult(firstScreen.Resyncs), r => r.Any(f => f.Scope == $"area:{first}"),
            because: "the first district's scope no longer covers the ward");
        Assert.DoesNotContain(ward, (await firstScreen.Subscribe($"area:{first}")).Districts.Select(d => d.Id));
    }

    [Fact]
    public async Task An_area_named_as_its_own_parent_is_refused_naming_parentId_and_changes_nothing()
    {
        var tag = Tag();
        var (district, ward) = ($"d-{tag}", $"w-{tag}");
        await ImportAsync(Ioc,
            Area(district, "district", null, 103.0, 10.0, 103.2, 10.2),
            Area(ward, "ward", district, 103.0, 10.0, 103.1, 10.2));

        var refused = await Ioc.PutJson($"/api/v1/areas/{ward}", AreaBody("Renamed", "ward", ward, 103.0, 10.0, 103.1, 10.2));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("parentId", await refused.Content.ReadAsStringAsync());
        var kept = await Ioc.Get<DistrictView>($"/api/v1/areas/{ward}");
        Assert.Equal((district, $"Khu {ward}"), (kept.ParentId, kept.Name));
    }

    [Fact]
    public async Task A_ward_OC_sees_the_context_entities_located_in_its_ward_and_not_those_of_the_other_ward()
    {
        var tag = Tag();
        var (district, west, east) = ($"d-{tag}", $"w1-{tag}", $"w2-{tag}");
        await ImportAsync(Ioc,
            Area(district, "district", null, 104.0, 10.0, 104.2, 10.2),
            Area(west, "ward", district, 104.0, 10.0, 104.1, 10.2),
            Area(east, "ward", district, 104.1, 10.0, 104.2, 10.2));
        string Hydrant(string id, double lon) => $$"""
            { "id": "{{id}}", "type": "Hydrant", "pressure": { "type": "Property", "value": 3 },
              "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [{{lon}}, 10.1] } } }
            """;
        var (inWest, inEast) = (ContextEntityCalls.NewId("Hydrant"), ContextEntityCalls.NewId("Hydrant"));
        (await Ioc.Send(HttpMethod.Post, "/entityOperations/upsert", $"[{Hydrant(inWest, 104.05)}, {Hydrant(inEast, 104.15)}]"))
            .AssertStatus(HttpStatusCode.Created);

        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        using var districtOc = api.CreateClient(TwinRoles.DistrictOc, districts: [district]);
        Assert.Equal([inWest], (await westOc.Entities("type=Hydrant", "")).Ids());
        Assert.Equal(new[] { inWest, inEast }.Order(StringComparer.Ordinal), (await districtOc.Entities("type=Hydrant", "")).Ids());
    }

    [Fact]
    public async Task A_ward_registered_after_context_entities_were_placed_holds_the_next_ones_for_its_OC()
    {
        var tag = Tag();
        var (district, ward) = ($"dn-{tag}", $"wn-{tag}");
        await ImportAsync(Ioc, Area(district, "district", null, 105.0, 10.0, 105.2, 10.2));
        string Bin(string id) => $$"""
            { "id": "{{id}}", "type": "Bin", "fill": { "type": "Property", "value": 0.4 },
              "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [105.05, 10.1] } } }
            """;
        var (before, after) = (ContextEntityCalls.NewId("Bin"), ContextEntityCalls.NewId("Bin"));
        (await Ioc.Send(HttpMethod.Post, "/entities", Bin(before))).AssertStatus(HttpStatusCode.Created);

        (await Ioc.PutJson($"/api/v1/areas/{ward}", AreaBody($"Khu {ward}", "ward", district, 105.0, 10.0, 105.1, 10.2))).EnsureSuccessStatusCode();
        (await Ioc.Send(HttpMethod.Post, "/entities", Bin(after))).AssertStatus(HttpStatusCode.Created);

        // The area outlines are read again with the tree, so the entity written next is placed in the new ward at once.
        using var wardOc = api.CreateClient(TwinRoles.DistrictOc, districts: [ward]);
        Assert.Equal([after], (await wardOc.Entities("type=Bin", "")).Ids());
    }
}
