using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// Big scopes come in parts to the official JavaScript client as to the screens: merged, they hold the whole scope,
/// each segment and sensor once, nothing outside it, before any later delta; a scope subscribed again is sent a whole new set.
/// </summary>
[Collection(SnapshotPartsCollection.Name)]
public sealed class JsSnapshotPartsTests(SnapshotPartsTwinApiFactory api)
{
    [Fact]
    public async Task The_JavaScript_client_merges_the_city_in_parts_whole_and_again_when_it_subscribes_again()
    {
        var expected = (await SampleReadings.AllSensors(api.Http)).Select(s => s.Id).ToHashSet();
        var segments = (await api.Http.Get<List<DistrictView>>("/api/v1/districts")).Sum(d => d.SegmentCount);
        await using var check = await NodeCheck.StartAsync("hub-contract.mjs", "parts", LiveScreen.HubUrl(api).ToString(),
            api.Token(TwinRoles.Ioc), "city,city");

        foreach (var _ in new[] { "first", "again" })
        {
            var city = await check.NextAsync();
            Assert.Equal("complete", (string?)city["status"]);
            var parts = (int)city["parts"]!;
            Assert.True(parts > 0, "the city holds more sensors than a frame");
            Assert.InRange((int)city["answerSensors"]!, 1, SnapshotPartsTwinApiFactory.SensorsPerPart);
            Assert.Equal(Enumerable.Range(1, parts), city["partNumbers"]!.AsArray().Select(n => (int)n!));
            Assert.Equal(expected.Count, (int)city["sensors"]!);
            Assert.Equal(expected.Count, (int)city["unique"]!);
            // Segments come in parts too: the answer carries the first run, the parts the rest, each once.
            Assert.Equal(SnapshotPartsTwinApiFactory.SegmentsPerPart, (int)city["answerSegments"]!);
            Assert.Equal(segments, (int)city["segments"]!);
            Assert.Equal(segments, (int)city["uniqueSegments"]!);
            Assert.False((bool)city["deltaBeforeLastPart"]!);
        }
        Assert.Equal(0, await check.ExitCodeAsync());
    }

    [Fact]
    public async Task A_district_OCs_snapshot_in_parts_holds_only_its_district_and_a_sector_OCs_only_its_sector()
    {
        var haiChau = await api.Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        var traffic = (await SampleReadings.AllSensors(api.Http)).Count(s => s.Sector == Sector.Traffic);
        await using var district = await NodeCheck.StartAsync("hub-contract.mjs", "parts", LiveScreen.HubUrl(api).ToString(),
            api.Token(TwinRoles.DistrictOc, districts: ["hai-chau"]), "district:hai-chau");
        await using var sector = await NodeCheck.StartAsync("hub-contract.mjs", "parts", LiveScreen.HubUrl(api).ToString(),
            api.Token(TwinRoles.SectorOc, sectors: ["traffic"]), "sector:traffic");

        var ofDistrict = await district.NextAsync();
        var ofSector = await sector.NextAsync();

        AssertWhole(ofDistrict, haiChau.Count);
        Assert.Equal(["hai-chau"], Values(ofDistrict, "districts"));
        AssertWhole(ofSector, traffic);
        Assert.Equal(["traffic"], Values(ofSector, "sectors"));
        Assert.Equal(0, await district.ExitCodeAsync());
        Assert.Equal(0, await sector.ExitCodeAsync());
    }

    private static void AssertWhole(JsonNode line, int sensors)
    {
        Assert.Equal("complete", (string?)line["status"]);
        Assert.True((int)line["parts"]! > 0, $"{line["scope"]} holds more sensors than a frame");
        Assert.Equal(sensors, (int)line["sensors"]!);
        Assert.Equal(sensors, (int)line["unique"]!);
    }

    private static string[] Values(JsonNode line, string name) => [.. line[name]!.AsArray().Select(v => (string)v!)];
}
