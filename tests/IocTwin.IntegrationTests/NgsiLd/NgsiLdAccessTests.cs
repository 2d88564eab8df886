using System.Net;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Each OC sees only its scope over NGSI-LD; tenants, unknown ids and bad input get the ETSI problems.</summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdAccessTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_district_oc_sees_only_its_districts_entities()
    {
        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["son-tra"]);
        var own = (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).Select(s => $"urn:ngsi-ld:Device:{s.Id}").Order(StringComparer.Ordinal);
        Assert.Equal(own, (await oc.Entities("type=Device&limit=1000")).Ids());
        Assert.Equal(["urn:ngsi-ld:AdministrativeArea:son-tra"], (await oc.Entities("type=AdministrativeArea")).Ids());
        var everything = await oc.Entities($"q=location&limit=1000");
        Assert.All(everything.Where(e => e!["areaServed"] is not null), e => Assert.Equal("son-tra", (string)e!["areaServed"]!["value"]!));
        Assert.Contains(everything, e => (string)e!["type"]! == "RoadSegment");

        var elsewhere = (await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors"))[0];
        (await oc.Ngsi($"/entities/urn:ngsi-ld:Device:{elsewhere.Id}", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await oc.Ngsi("/entities/urn:ngsi-ld:AdministrativeArea:hai-chau", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        var (_, types, _) = await oc.Ngsi("/types/AdministrativeArea", NgsiLdClient.SdmLink);
        Assert.Equal(1, (int)types!["entityCount"]!);
    }

    [Fact]
    public async Task A_sector_oc_sees_only_its_sectors_entities()
    {
        using var oc = api.CreateClient(TwinRoles.SectorOc, sectors: ["environment"]);
        var environment = (await SampleReadings.AllSensors(Http)).Where(s => s.Sector == Sector.Environment)
            .Select(s => $"urn:ngsi-ld:Device:{s.Id}").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(environment);
        Assert.Equal(environment, (await oc.Entities("type=Device&limit=1000")).Ids());
        Assert.Empty(await oc.Entities("type=RoadSegment,TrafficFlowObserved"));
        var (_, typeList, _) = await oc.Ngsi("/types", NgsiLdClient.SdmLink);
        var types = typeList!["typeList"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Contains("AirQualityObserved", types);
        Assert.DoesNotContain("RoadSegment", types);
        Assert.DoesNotContain("TrafficFlowObserved", types);
        var counter = (await SampleReadings.AllSensors(Http)).First(s => s.Kind == SensorKind.TrafficCounter);
        (await oc.Ngsi($"/entities/urn:ngsi-ld:TrafficFlowObserved:{counter.Id}", NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }

    [Fact]
    public async Task The_hosted_tenant_is_served_and_any_other_refused()
    {
        var (status, _, _) = await Http.Ngsi("/entities?type=AdministrativeArea", NgsiLdClient.SdmLink, tenant: NgsiLdTwinFactory.Tenant);
        Assert.Equal(HttpStatusCode.OK, status);
        (await Http.Ngsi("/entities?type=AdministrativeArea", NgsiLdClient.SdmLink, tenant: "hue"))
            .AssertProblem(HttpStatusCode.NotFound, "NonexistentTenant");
    }

    [Fact]
    public async Task Unknown_ids_are_not_found_without_activating_grains()
    {
        var management = api.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        (await Http.Ngsi("/entities/urn:ngsi-ld:Device:warm-up")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        var before = await management.GetTotalActivationCount();
        string[] types = ["Device", "RoadSegment", "TrafficFlowObserved", "AdministrativeArea", "Streetlight", "Alert", "Thing"];
        for (var i = 0; i < 70; i++)
        {
            var id = types[i % types.Length] == "Alert" ? $"hai-chau:{i:x12}" : $"probe-{Guid.NewGuid():N}";
            (await Http.Ngsi($"/entities/urn:ngsi-ld:{types[i % types.Length]}:{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        }
        var after = await management.GetTotalActivationCount();
        Assert.True(after - before < 10, $"{after - before} grains were activated by reads of unknown ids");
    }

    [Theory]
    [InlineData("/entities")]
    [InlineData("/entities?type=Device&q=averageVehicleSpeed%3E%3E1")]
    [InlineData("/entities?type=Device&q=(averageVehicleSpeed%3E1")]
    [InlineData("/entities?type=Device&idPattern=(")]
    [InlineData("/entities?id=not%20a%20uri")]
    [InlineData("/entities?type=Device&georel=near&geometry=Point&coordinates=%5B108.2,16.0%5D")]
    [InlineData("/entities?type=Device&georel=within&geometry=Point")]
    [InlineData("/entities?type=Device&georel=sideways&geometry=Point&coordinates=%5B108.2,16.0%5D")]
    [InlineData("/entities?type=Device&limit=ten")]
    [InlineData("/entities?type=Device&count=maybe")]
    [InlineData("/entities?type=Device&options=pretty")]
    [InlineData("/entities?type=Device&format=xml")]
    [InlineData("/entities?type=De%20vice")]
    [InlineData("/entities/not-a-uri")]
    [InlineData("/types?details=perhaps")]
    public async Task Bad_input_is_BadRequestData_naming_what_is_wrong(string path) =>
        (await Http.Ngsi(path, NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");

    [Fact]
    public async Task A_slow_pattern_is_refused_not_run_to_the_end()
    {
        // Catastrophic backtracking on every id: the pattern timeout ends it.
        var evil = Uri.EscapeDataString("^(([a-zA-Z0-9:-]+)+)+!$");
        (await Http.Ngsi($"/entities?type=Device&idPattern={evil}", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
    }

    [Fact]
    public async Task Types_and_attributes_describe_what_the_caller_sees()
    {
        var sensors = await SampleReadings.AllSensors(Http);
        var (_, list, _) = await Http.Ngsi("/types", NgsiLdClient.SdmLink);
        Assert.Equal("EntityTypeList", (string)list!["type"]!);
        var typeNames = list["typeList"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Subset(typeNames.ToHashSet(), new HashSet<string> { "AdministrativeArea", "Device", "RoadSegment", "TrafficFlowObserved", "AirQualityObserved" });

        var (_, device, _) = await Http.Ngsi("/types/Device", NgsiLdClient.SdmLink);
        Assert.Equal("EntityTypeInfo", (string)device!["type"]!);
        Assert.Equal(sensors.Count, (int)device["entityCount"]!);
        Assert.Contains(device["attributeDetails"]!.AsArray(), a => (string)a!["attributeName"]! == "location"
            && a["attributeTypes"]!.AsArray().Select(t => (string)t!).SequenceEqual(["GeoProperty"]));
        var (_, sameByIri, _) = await Http.Ngsi($"/types/{Uri.EscapeDataString(IocTwin.Api.NgsiLd.Sdm.Device)}");
        Assert.Equal(sensors.Count, (int)sameByIri!["entityCount"]!);
        (await Http.Ngsi("/types/Spaceship", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        var (_, details, _) = await Http.Ngsi("/types?details=true", NgsiLdClient.SdmLink);
        Assert.Contains(details!.AsArray(), t => (string)t!["typeName"]! == "RoadSegment"
            && t["attributeNames"]!.AsArray().Any(a => (string)a! == "totalLaneNumber"));

        var (_, attributes, _) = await Http.Ngsi("/attributes", NgsiLdClient.SdmLink);
        Assert.Contains("refRoadSegment", attributes!["attributeList"]!.AsArray().Select(a => (string)a!));
        var (_, refRoad, _) = await Http.Ngsi("/attributes/refRoadSegment", NgsiLdClient.SdmLink);
        Assert.Equal(["Relationship"], refRoad!["attributeTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["TrafficFlowObserved"], refRoad["typeNames"]!.AsArray().Select(t => (string)t!));
        (await Http.Ngsi("/attributes/wingspan", NgsiLdClient.SdmLink)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }
}
