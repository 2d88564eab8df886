using System.Buffers;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using IocTwin.Model;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace IocTwin.Tests.Streaming;

/// <summary>
/// What one record per entity costs on the wire: a busy district's delta, written as the hub writes it, against the
/// same changes in the separate live shapes deltas carried before (kept here as they were, for the comparison).
/// </summary>
public sealed class FrameSizeTests(ITestOutputHelper output)
{
    public sealed record LiveSensor(string Id, string DistrictId, string? SegmentId, SensorKind Kind, Sector Sector, DateTimeOffset? LastSeen,
        IReadOnlyDictionary<string, double> Values, SensorHealth Health, long Version);
    public sealed record LiveSegment(string Id, string DistrictId, SegmentStatus Status, SegmentTraffic Traffic, long Version);
    public sealed record LiveDistrict(string Id, string Name, DistrictKpis Kpis, long Version);
    public sealed record EarlierDeltaFrame(string Scope, long Sequence, DistrictKpis? City, List<LiveDistrict> Districts,
        List<LiveSegment> Segments, List<LiveSensor> Sensors);

    [Fact]
    public void A_busy_district_delta_stays_within_half_again_its_earlier_size_in_JSON_and_MessagePack()
    {
        var now = DateTimeOffset.UtcNow;
        var kpi = new Kpi(31.42, now);
        var kpis = new DistrictKpis(kpi, kpi, kpi, kpi, kpi, kpi, kpi, kpi, kpi);
        var traffic = new SegmentTraffic(1480, 31.4, 42.5, LevelOfService.C, null, now);
        // A district's frame at a busy moment: 60 roads and 300 sensors changed within a quarter of a second.
        var segments = Enumerable.Range(0, 60).Select(i => new SegmentView($"hai-chau-road-{i:D4}", "hai-chau", null, SegmentStatus.Open,
            traffic, null, 1000 + i)).ToList();
        var sensors = Enumerable.Range(0, 300).Select(i => new SensorView($"hai-chau-tc-{i:D5}", null, SensorKind.TrafficCounter, Sector.Traffic,
            null, "hai-chau", segments[i % 60].Id, null, SensorHealth.Online, 52_000 + i, null, now,
            new Dictionary<string, double> { ["flow"] = 1480 + i, ["speed"] = 31.4, ["occupancy"] = 42.5 })).ToList();
        var district = new DistrictView("hai-chau", "Hải Châu", null, null, kpis, null, null, 99_000);
        var frame = new DeltaFrame("district:hai-chau", 1_765_000_000_000, new CityView("city", kpis, null, 1_765_000_000_000),
            [district], segments, sensors);
        var earlier = new EarlierDeltaFrame("district:hai-chau", 1_765_000_000_000, null, [new LiveDistrict("hai-chau", "Hải Châu", kpis, 99_000)],
            [.. segments.Select(s => new LiveSegment(s.Id, s.DistrictId, s.Status, s.Traffic, s.Version))],
            [.. sensors.Select(s => new LiveSensor(s.Id, s.DistrictId, s.SegmentId, s.Kind, s.Sector, s.LastSeen, s.Values, s.Health, s.ReadingCount))]);

        var json = new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions { PayloadSerializerOptions = TwinJson.Options }));
        var packed = new MessagePackHubProtocol();
        foreach (IHubProtocol protocol in new IHubProtocol[] { json, packed })
        {
            var (after, before) = (Size(protocol, frame), Size(protocol, earlier));
            output.WriteLine($"{protocol.Name}: {before:N0} B before, {after:N0} B now ({(double)after / before:F2}×)");
            Assert.InRange(after, 1, before * 1.5);
        }
    }

    private static int Size(IHubProtocol protocol, object frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(new InvocationMessage(HubMethods.Delta, [frame]), buffer);
        return buffer.WrittenCount;
    }
}
