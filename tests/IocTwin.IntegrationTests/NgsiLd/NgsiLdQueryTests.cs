using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.NgsiLd;

/// <summary>GET /entities on the sample city: q, every georel, pagination and count, and names under different contexts.</summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdQueryTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    private static string Q(string q) => Uri.EscapeDataString(q);

    private static GeoPoint PointOf(JsonNode entity)
    {
        var coordinates = entity["location"]!["value"]!["coordinates"]!;
        return new GeoPoint((double)coordinates[0]!, (double)coordinates[1]!);
    }

    [Fact]
    public async Task Q_filters_live_values_with_comparisons_lists_ranges_and_or_and_parentheses()
    {
        var counters = (await SampleReadings.AllSensors(Http)).Where(s => s.Kind == SensorKind.TrafficCounter).Take(2).ToList();
        var now = DateTimeOffset.UtcNow;
        await Http.PostReadings(Reading(counters[0].Id, now, new { speed = 121, flow = 100, occupancy = 5 }),
            Reading(counters[1].Id, now, new { speed = 123, flow = 100, occupancy = 5 }));
        var first = $"urn:ngsi-ld:TrafficFlowObserved:{counters[0].Id}";
        var second = $"urn:ngsi-ld:TrafficFlowObserved:{counters[1].Id}";

        // refDevice: a sensor's own observation, not its road's (whose speed follows the sensor's).
        Assert.Equal([first, second], (await Http.Entities($"type=TrafficFlowObserved&q={Q("averageVehicleSpeed>120;refDevice")}")).Ids());
        Assert.Equal([first, second], (await Http.Entities($"type=TrafficFlowObserved&q={Q("averageVehicleSpeed==121,123;refDevice")}")).Ids());
        Assert.Equal([first], (await Http.Entities($"type=TrafficFlowObserved&q={Q("averageVehicleSpeed==120..122;refDevice")}")).Ids());
        Assert.Equal([second], (await Http.Entities($"type=TrafficFlowObserved&q={Q("averageVehicleSpeed>=122;averageVehicleSpeed<=200;refDevice")}")).Ids());
        Assert.Equal([first, second], (await Http.Entities(
            $"type=TrafficFlowObserved&q={Q("(averageVehicleSpeed==121|averageVehicleSpeed==123);refDevice")}")).Ids());
        Assert.Equal([first], (await Http.Entities(
            $"type=TrafficFlowObserved&q={Q($"refDevice==\"urn:ngsi-ld:Device:{counters[0].Id}\";averageVehicleSpeed!=123")}")).Ids());
        Assert.Equal([first, second], (await Http.Entities($"q={Q($"averageVehicleSpeed.observedAt>={NgsiLdFormat.Time(now)};averageVehicleSpeed>120;refDevice")}")).Ids());

        var segments = (await Http.Get<List<DistrictView>>("/api/v1/districts"))
            .Select(d => Http.Get<List<SegmentView>>($"/api/v1/districts/{d.Id}/segments")).ToList();
        var bridges = (await Task.WhenAll(segments)).SelectMany(s => s).Where(s => s.Spec!.Name.StartsWith("Cầu", StringComparison.Ordinal))
            .Select(s => $"urn:ngsi-ld:RoadSegment:{s.Spec!.Id}").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(bridges);
        Assert.Equal(bridges, (await Http.Entities($"type=RoadSegment&limit=1000&q={Q("name~=\"^Cầu\"")}")).Ids());

        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        Assert.Equal(districts.Count - 1, (await Http.Entities($"type=AdministrativeArea&q={Q($"name!=\"{districts[0].Name}\"")}")).Count);
    }

    [Fact]
    public async Task Every_georel_selects_by_geometry()
    {
        var sensors = await SampleReadings.AllSensors(Http);
        var sensor = sensors.First(s => s.Kind == SensorKind.AirQuality && s.Name is not null);
        var here = $"[{sensor.Location!.Value.Lon},{sensor.Location!.Value.Lat}]";
        var device = $"urn:ngsi-ld:Device:{sensor.Id}";

        var near = await Http.Entities($"type=Device&limit=1000&georel={Q("near;maxDistance==800")}&geometry=Point&coordinates={Q(here)}");
        Assert.Contains(device, near.Ids());
        Assert.All(near, e => Assert.True(PointOf(e!).DistanceTo(sensor.Location!.Value) <= 800.5));
        var far = await Http.Entities($"type=Device&limit=1000&georel={Q("near;minDistance==800")}&geometry=Point&coordinates={Q(here)}");
        Assert.All(far, e => Assert.True(PointOf(e!).DistanceTo(sensor.Location!.Value) >= 799.5));
        Assert.Equal(sensors.Count, near.Count + far.Count);

        var (lon, lat) = (sensor.Location!.Value.Lon, sensor.Location!.Value.Lat);
        var square = $"[[[{lon - 0.003},{lat - 0.003}],[{lon + 0.003},{lat - 0.003}],[{lon + 0.003},{lat + 0.003}],[{lon - 0.003},{lat + 0.003}],[{lon - 0.003},{lat - 0.003}]]]";
        var within = await Http.Entities($"type=Device&limit=1000&georel=within&geometry=Polygon&coordinates={Q(square)}");
        Assert.Contains(device, within.Ids());
        Assert.All(within, e => Assert.True(Math.Abs(PointOf(e!).Lon - lon) <= 0.003 && Math.Abs(PointOf(e!).Lat - lat) <= 0.003));

        var containing = await Http.Entities($"type=AdministrativeArea&georel=contains&geometry=Point&coordinates={Q(here)}");
        Assert.Equal([$"urn:ngsi-ld:AdministrativeArea:{sensor.DistrictId}"], containing.Ids());

        var equal = await Http.Entities($"type=Device&georel=equals&geometry=Point&coordinates={Q(here)}");
        Assert.Contains(device, equal.Ids());
        Assert.All(equal, e => Assert.Equal(sensor.Location, PointOf(e!)));

        // A short line across the middle of a road's first stretch.
        var (segment, _) = await Http.CountedSegment(sensor.DistrictId);
        var (a, b) = (segment.Spec!.Geometry[0], segment.Spec!.Geometry[1]);
        var (midLon, midLat) = ((a.Lon + b.Lon) / 2, (a.Lat + b.Lat) / 2);
        var (dLon, dLat) = ((b.Lon - a.Lon) / 4, (b.Lat - a.Lat) / 4);
        var across = $"[[{midLon - dLat},{midLat + dLon}],[{midLon + dLat},{midLat - dLon}]]";
        var road = $"urn:ngsi-ld:RoadSegment:{segment.Spec!.Id}";
        var crossing = await Http.Entities($"type=RoadSegment&limit=1000&georel=intersects&geometry=LineString&coordinates={Q(across)}");
        Assert.Contains(road, crossing.Ids());
        var apart = await Http.Entities($"type=RoadSegment&limit=1000&georel=disjoint&geometry=LineString&coordinates={Q(across)}");
        Assert.DoesNotContain(road, apart.Ids());
        Assert.Equal((await Http.Entities("type=RoadSegment&limit=1000")).Count, crossing.Count + apart.Count);

        // A district's own outline equals it; moved a little, it overlaps it.
        var district = await Http.Get<DistrictView>($"/api/v1/districts/{sensor.DistrictId}");
        var area = $"urn:ngsi-ld:AdministrativeArea:{district.Id}";
        string Ring(double shift) => "[[" + string.Join(',', district.Boundary!.Append(district.Boundary![0]).Select(p => $"[{p.Lon + shift},{p.Lat}]")) + "]]";
        Assert.Equal([area], (await Http.Entities($"type=AdministrativeArea&georel=equals&geometry=Polygon&coordinates={Q(Ring(0))}")).Ids());
        Assert.Contains(area, (await Http.Entities($"type=AdministrativeArea&georel=overlaps&geometry=Polygon&coordinates={Q(Ring(0.002))}")).Ids());
        Assert.DoesNotContain(area, (await Http.Entities($"type=AdministrativeArea&georel=overlaps&geometry=Polygon&coordinates={Q(Ring(0))}")).Ids());

        // geoproperty names the GeoProperty compared; one the entities lack matches nothing.
        Assert.Empty(await Http.Entities($"type=Device&georel=equals&geometry=Point&coordinates={Q(here)}&geoproperty=observationSpace"));
    }

    [Fact]
    public async Task Pages_join_to_the_whole_and_count_says_how_many()
    {
        var sensors = await SampleReadings.AllSensors(Http);
        var (status, body, response) = await Http.Ngsi("/entities?type=Device&count=true&limit=0", NgsiLdClient.SdmLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body!.AsArray());
        Assert.Equal(sensors.Count.ToString(), response.Headers.GetValues("NGSILD-Results-Count").Single());

        Assert.Equal(20, (await Http.Entities("type=Device")).Count);
        var pages = new List<string>();
        for (var offset = 0; offset < sensors.Count; offset += 150)
        {
            pages.AddRange((await Http.Entities($"type=Device&limit=150&offset={offset}")).Ids());
        }
        Assert.Equal(sensors.Select(s => $"urn:ngsi-ld:Device:{s.Id}").Order(StringComparer.Ordinal), pages);
        Assert.Empty(await Http.Entities($"type=Device&offset={sensors.Count}"));

        (await Http.Ngsi("/entities?type=Device&limit=1001", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Ngsi("/entities?type=Device&limit=0", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Ngsi("/entities?type=Device&offset=-1", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
    }

    [Fact]
    public async Task A_type_is_the_same_type_as_a_short_name_a_full_iri_or_another_contexts_term()
    {
        var byShortName = (await Http.Entities("type=RoadSegment&limit=1000")).Ids();
        Assert.NotEmpty(byShortName);
        Assert.Equal(byShortName, (await Http.Entities($"type={Q(Sdm.RoadSegment)}&limit=1000", link: "")).Ids());
        Assert.Equal(byShortName, (await Http.Entities("type=Road&limit=1000", NgsiLdClient.Link(NgsiLdTwinFactory.CityContextUrl))).Ids());
        // Under the core context alone the short name is another type (of the default vocabulary): none.
        Assert.Empty(await Http.Entities("type=RoadSegment", link: ""));

        // The provisioned context's terms reach q too, and names come back compacted with it (a counter with a speed).
        var counter = (await SampleReadings.AllSensors(Http)).First(s => s.Kind == SensorKind.TrafficCounter);
        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 40, flow = 100, occupancy = 5 }));
        var counters = await Http.Entities($"type=Counter&q={Q("speed>=0")}&limit=1000", NgsiLdClient.Link(NgsiLdTwinFactory.CityContextUrl));
        Assert.NotEmpty(counters);
        Assert.All(counters, e => Assert.Equal("Counter", (string)e!["type"]!));
        Assert.All(counters, e => Assert.NotNull(e!["speed"]));

        // Every published version of the core context is shipped: a client naming an earlier one is served, not refused.
        foreach (var core in new[] { "ngsi-ld-core-context.jsonld", "ngsi-ld-core-context-v1.3.jsonld", "ngsi-ld-core-context-v1.4.jsonld" })
        {
            Assert.Equal(byShortName, (await Http.Entities($"type={Q(Sdm.RoadSegment)}&limit=1000",
                NgsiLdClient.Link("https://uri.etsi.org/ngsi-ld/v1/" + core))).Ids());
        }

        // The context as this twin serves it stands for the URL it holds.
        var local = $"{Http.BaseAddress!.GetLeftPart(UriPartial.Authority)}/ngsi-ld/v1/jsonldContexts/smartdatamodels-context";
        Assert.Equal(byShortName, (await Http.Entities("type=RoadSegment&limit=1000", NgsiLdClient.Link(local))).Ids());
    }

    [Fact]
    public async Task A_context_the_twin_neither_ships_nor_holds_is_refused_without_a_fetch()
    {
        (await Http.Ngsi("/entities?type=Device", NgsiLdClient.Link("https://contexts.elsewhere.example/unknown.jsonld")))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        (await Http.Ngsi("/entities/urn:ngsi-ld:AdministrativeArea:hai-chau", NgsiLdClient.Link("https://contexts.elsewhere.example/unknown.jsonld")))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        (await Http.Ngsi("/entities?type=Device", $"{NgsiLdClient.SdmLink}, {NgsiLdClient.Link(NgsiLdTwinFactory.CityContextUrl)}"))
            .AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Http.Ngsi("/entities?type=Device", NgsiLdClient.Link("file:///etc/passwd"))).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
    }

    [Fact]
    public async Task A_context_on_a_listed_host_is_fetched_once_and_kept()
    {
        var url = $"https://{NgsiLdTwinFactory.FetchableHost}{ContextHostStandIn.Path}";
        var before = api.ContextHost.Requests;
        var roads = (await Http.Entities("type=RoadSegment&limit=1000")).Ids();
        Assert.Equal(roads, (await Http.Entities("type=Lane&limit=1000", NgsiLdClient.Link(url))).Ids());
        Assert.Equal(roads, (await Http.Entities("type=Lane&limit=1000", NgsiLdClient.Link(url))).Ids());
        Assert.Equal(before + 1, api.ContextHost.Requests);

        // The listed host without the document, plain http to it, and any unlisted host: refused, the last two unasked.
        (await Http.Ngsi("/entities?type=Lane", NgsiLdClient.Link($"https://{NgsiLdTwinFactory.FetchableHost}/missing.jsonld")))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        var asked = api.ContextHost.Requests;
        (await Http.Ngsi("/entities?type=Lane", NgsiLdClient.Link($"http://{NgsiLdTwinFactory.FetchableHost}/other.jsonld")))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        (await Http.Ngsi("/entities?type=Lane", NgsiLdClient.Link("https://127.0.0.1/traffic.jsonld")))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        Assert.Equal(asked, api.ContextHost.Requests);
        var (_, details, _) = await Http.Ngsi("/jsonldContexts?details=true");
        Assert.Equal("Fetched", (string)details!.AsArray().Single(c => (string)c!["URL"]! == url)!["origin"]!);
    }

    [Fact]
    public async Task The_twin_serves_the_contexts_it_holds_to_anyone()
    {
        using var anonymous = api.CreateClient();
        var (status, list, _) = await anonymous.Ngsi("/jsonldContexts");
        Assert.Equal(HttpStatusCode.OK, status);
        var urls = list!.AsArray().Select(u => (string)u!).ToList();
        Assert.Contains(LdContextStore.CoreUrl, urls);
        Assert.Contains(LdContextStore.SmartDataModelsUrl, urls);
        Assert.Contains(NgsiLdTwinFactory.CityContextUrl, urls);

        var (_, details, _) = await anonymous.Ngsi("/jsonldContexts?details=true");
        var city = details!.AsArray().Single(c => (string)c!["URL"]! == NgsiLdTwinFactory.CityContextUrl)!;
        Assert.Equal("Provisioned", (string)city["origin"]!);
        var (servedStatus, served, response) = await anonymous.Ngsi($"/jsonldContexts/{(string)city["localId"]!}");
        Assert.Equal(HttpStatusCode.OK, servedStatus);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Sdm.RoadSegment, (string)served!["@context"]!["Road"]!);

        var (_, core, _) = await anonymous.Ngsi("/jsonldContexts/ngsi-ld-core-context-v1.8");
        Assert.Equal("https://uri.etsi.org/ngsi-ld/default-context/", (string)core!["@context"]!["@vocab"]!);
        (await anonymous.Ngsi("/jsonldContexts/nothing-here")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Ngsi("/entities?type=Device")).Status);
    }
}
