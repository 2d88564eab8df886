using IocTwin.Model;
using IocTwin.Tests.Api;

namespace IocTwin.Tests.Streaming;

/// <summary>Plausible readings for any sensor of the sample, as a field feed would post them.</summary>
public static class SampleReadings
{
    public static object ValuesFor(SensorKind kind, int round) => kind.Id switch
    {
        "traffic-counter" => new { speed = 15 + round % 30, flow = 800 + 10 * (round % 50), occupancy = 20 + round % 40 },
        "speed-camera" => new { speed = 20 + round % 40 },
        "air-quality" => new { aqi = 40 + round % 80, pm25 = 10 + round % 30 },
        "noise" => new { db = 50 + round % 30 },
        "water-level" => new { level = 0.05 + 0.01 * (round % 10) },
        "rain-gauge" => new { rainfall = round % 20 },
        "streetlight" => new { on = round % 2, power = 90 + round % 20 },
        "water-pressure" => new { pressure = 2.5 + 0.1 * (round % 10) },
        "people-counter" => new { count = 10 + round % 100 },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// A road of the district whose only speed source is one traffic counter, so that counter alone sets the road's
    /// speed and level of service whatever the other tests' readings. <paramref name="index"/> picks among them.
    /// </summary>
    public static async Task<(SegmentView Segment, SensorView Counter)> SoleCounterSegment(this HttpClient ioc, string districtId, int index = 0)
    {
        var sensors = await ioc.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors");
        var counter = sensors
            .Where(s => s.SegmentId is not null)
            .GroupBy(s => s.SegmentId)
            .Select(road => road.Where(s => s.Kind == SensorKind.TrafficCounter || s.Kind == SensorKind.SpeedCamera).ToList())
            .Where(speeds => speeds.Count == 1 && speeds[0].Kind == SensorKind.TrafficCounter)
            .Select(speeds => speeds[0])
            .ElementAt(index);
        return (await ioc.Get<SegmentView>($"/api/v1/segments/{counter.SegmentId}"), counter);
    }

    /// <summary>Every sensor of every district, read with an IOC client.</summary>
    public static async Task<List<SensorView>> AllSensors(HttpClient ioc)
    {
        var districts = await ioc.Get<List<DistrictView>>("/api/v1/districts");
        var perDistrict = await Task.WhenAll(districts.Select(d => ioc.Get<List<SensorView>>($"/api/v1/districts/{d.Id}/sensors")));
        return [.. perDistrict.SelectMany(s => s)];
    }

    /// <summary>One reading for each of the sensors, stamped now.</summary>
    public static object[] Round(IEnumerable<SensorView> sensors, int round)
    {
        var now = DateTimeOffset.UtcNow;
        return [.. sensors.Select(s => TwinApiClient.Reading(s.Id, now, ValuesFor(s.Kind, round)))];
    }
}
