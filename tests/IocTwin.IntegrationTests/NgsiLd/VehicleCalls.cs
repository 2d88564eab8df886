using System.Text.Json;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Assets registered and placed as the Vehicle tests need them.</summary>
public static class VehicleCalls
{
    /// <summary>Registers a new asset of that kind with an id of its own; its id.</summary>
    public static async Task<string> RegisterAsset(this HttpClient http, string kind = "ambulance")
    {
        var id = $"{kind[..3]}-ngsi-{Guid.NewGuid():N}"[..18];
        var response = await http.PutJson($"/api/v1/assets/{id}", JsonSerializer.Serialize(new { name = $"Xe {id}", kind }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>A place inside a district of the sample city: one of its sensors'.</summary>
    public static async Task<GeoPoint> PlaceIn(this HttpClient http, string districtId) =>
        (await http.Get<List<SensorView>>($"/api/v1/districts/{districtId}/sensors")).First(s => s.Location is not null).Location!.Value;
}
