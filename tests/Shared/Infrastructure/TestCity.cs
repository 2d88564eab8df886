using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Tests.Infrastructure;

/// <summary>A tiny city registered under unique ids, so tests sharing a cluster never see each other's entities.</summary>
public sealed record TestCity(string DistrictId, string SegmentId, string CounterId, string AirId, string WaterId, SegmentSpec Segment)
{
    public static async Task<TestCity> RegisterAsync(IGrainFactory grains)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var district = new DistrictSpec($"d-{tag}", "Hải Châu test", "Hai Chau test",
            [new(108.20, 16.05), new(108.23, 16.05), new(108.23, 16.08), new(108.20, 16.08)]);
        var geometry = new List<GeoPoint> { new(108.21, 16.06), new(108.22, 16.06) };
        var segment = new SegmentSpec($"s-{tag}", "Bạch Đằng", district.Id, $"n1-{tag}", $"n2-{tag}", geometry,
            GeoPoint.PolylineLength(geometry), 4, 3600, 50, SegmentStatus.Open, "arterial", false);
        var counter = new SensorSpec($"c-{tag}", SensorKind.TrafficCounter, Sector.Traffic, new(108.215, 16.06), district.Id, segment.Id, null);
        var air = new SensorSpec($"a-{tag}", SensorKind.AirQuality, Sector.Environment, new(108.21, 16.07), district.Id, null, null);
        var water = new SensorSpec($"w-{tag}", SensorKind.WaterLevel, Sector.Flood, new(108.212, 16.06), district.Id, segment.Id, null);

        await grains.GetGrain<IDistrictGrain>(district.Id).Register(district);
        await grains.GetGrain<IRoadSegmentGrain>(segment.Id).Register(segment);
        foreach (var sensor in new[] { counter, air, water })
        {
            await grains.GetGrain<ISensorGrain>(sensor.Id).Register(sensor);
        }
        return new TestCity(district.Id, segment.Id, counter.Id, air.Id, water.Id, segment);
    }
}
