using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Tests.Api;

namespace IocTwin.Tests.Areas;

/// <summary>Small cities of nested areas, imported as GeoJSON under unique ids far from the sample city.</summary>
public static class AreaCities
{
    /// <summary>An area's KPI history over the ten minutes around now, in one bucket (two at a step's edge).</summary>
    public static async Task<JsonArray> KpiHistoryAsync(HttpClient http, string area)
    {
        var now = DateTimeOffset.UtcNow;
        var window = $"from={Uri.EscapeDataString(now.AddMinutes(-5).ToString("O"))}&to={Uri.EscapeDataString(now.AddMinutes(5).ToString("O"))}&step=PT10M";
        return (await (await http.GetAsync($"/api/v1/areas/{area}/history?{window}")).ReadObject())["buckets"]!.AsArray();
    }

    public static object Area(string id, string kind, string? parentId, double west, double south, double east, double north) => new
    {
        type = "Feature",
        properties = new { type = "area", id, kind, parentId, name = $"Khu {id}", nameEn = $"Area {id}" },
        geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { west, south }, new[] { east, south }, new[] { east, north }, new[] { west, north }, new[] { west, south } } } },
    };

    /// <summary>A segment across (lon, lat) to (lon + 0.01, lat), named in <paramref name="areaId"/>, with a traffic counter on it.</summary>
    public static object[] CountedSegment(string id, string areaId, double lon, double lat) =>
    [
        new
        {
            type = "Feature",
            properties = new { type = "segment", id, areaId, name = $"Đường {id}", fromNode = $"{id}-a", toNode = $"{id}-b" },
            geometry = new { type = "LineString", coordinates = new[] { new[] { lon, lat }, new[] { lon + 0.01, lat } } },
        },
        new
        {
            type = "Feature",
            properties = new { type = "sensor", id = $"{id}-counter", kind = "traffic-counter", segmentId = id },
            geometry = new { type = "Point", coordinates = new[] { lon + 0.005, lat } },
        },
    ];

    public static object Sensor(string id, string kind, string areaId, double lon, double lat) => new
    {
        type = "Feature",
        properties = new { type = "sensor", id, kind, areaId },
        geometry = new { type = "Point", coordinates = new[] { lon, lat } },
    };

    /// <summary>A district of two wards side by side: the first from lon to lon + 0.1, the second from there to lon + 0.2.</summary>
    public static async Task<(string District, string West, string East)> TwoWardsAsync(HttpClient ioc, string tag, double lon)
    {
        var (district, west, east) = ($"d-{tag}", $"wa-{tag}", $"wb-{tag}");
        await ImportAsync(ioc,
            Area(district, "district", null, lon, 10.0, lon + 0.2, 10.2),
            Area(west, "ward", district, lon, 10.0, lon + 0.1, 10.2),
            Area(east, "ward", district, lon + 0.1, 10.0, lon + 0.2, 10.2));
        return (district, west, east);
    }

    public static async Task ImportAsync(HttpClient ioc, params object[] features)
    {
        var flat = features.SelectMany(f => f is object[] many ? many : [f]).ToArray();
        var response = await ioc.PostJson("/api/v1/import", JsonSerializer.Serialize(new { type = "FeatureCollection", features = flat }));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A burst of readings: every counter slow or fast by round, every air sensor a new AQI.</summary>
    public static async Task BurstAsync(HttpClient ioc, IEnumerable<string> counters, IEnumerable<string> airSensors, int rounds = 5)
    {
        var now = DateTimeOffset.UtcNow.AddSeconds(-rounds);
        for (var round = 0; round < rounds; round++)
        {
            var at = now.AddSeconds(round);
            var items = counters.Select((c, i) => TwinApiClient.Reading(c, at, new { speed = 8 + 7 * ((round + i) % 5), flow = 900 + 100 * i }))
                .Concat(airSensors.Select((a, i) => TwinApiClient.Reading(a, at, new { aqi = 60 + 30 * ((round + i) % 4) })))
                .ToArray();
            var response = await ioc.PostReadings(items);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    public static string Tag() => Guid.NewGuid().ToString("N")[..8].ToString(CultureInfo.InvariantCulture);
}
