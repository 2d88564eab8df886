using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using IocTwin.Api.Assets;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace IocTwin.Tests.Api;

/// <summary>Asset positions published by trackers through mosquitto, taken by the rules of the HTTP batch.</summary>
public sealed class MqttAssetPositionTests(MosquittoTwinApiFactory api) : IClassFixture<MosquittoTwinApiFactory>, IAsyncLifetime
{
    private readonly MqttTestPublisher _tracker = new(api.Http);

    public Task InitializeAsync() => _tracker.Connect(api.DeviceConnection(MosquittoBroker.GatewayUser, MosquittoBroker.GatewayPassword));

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private static string Position(double lon, double lat, DateTimeOffset at, double speed = 40, string? id = null) =>
        JsonSerializer.Serialize(new { id, lat, lon, heading = 180.0, speed, status = "en-route", timestamp = at.ToString("O", CultureInfo.InvariantCulture) });

    private int Refusals(string containing) => api.MqttLog.Count(LogLevel.Warning, containing);

    [Fact]
    public async Task Positions_published_for_a_registered_asset_move_it_and_bad_or_unknown_ones_are_refused_logged_and_change_nothing()
    {
        var asset = $"amb-mqtt-{Guid.NewGuid():N}"[..16];
        var registered = await api.Http.PutJson($"/api/v1/assets/{asset}", JsonSerializer.Serialize(new { name = "Cấp cứu 115", kind = "ambulance" }));
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        // A reading seen proves the service has subscribed (both topics come in one subscription).
        var noise = (await api.Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors")).First(s => s.Kind == SensorKind.Noise);
        await _tracker.PublishUntilSeen(noise.Id, 63.5);
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);

        // An array of the tracker's reports, without ids: the topic names the asset.
        await _tracker.PublishPosition(asset, $"[{Position(108.2201, 16.0601, start)}, {Position(108.2202, 16.0602, start.AddSeconds(1))}]");
        await Eventually.Until(() => api.Http.Get<AssetView>($"/api/v1/assets/{asset}"), a => a.Location?.Lon == 108.2202,
            TimeSpan.FromSeconds(15), "the asset moves to its latest published position");

        // Refused whole, each for its own reason: too fast, not JSON, another asset's id, an asset never registered.
        var unknown = $"ghost-{Guid.NewGuid():N}"[..14];
        await _tracker.PublishPosition(asset, $"[{Position(108.2203, 16.0603, start.AddSeconds(2))}, {Position(108.2204, 16.0604, start.AddSeconds(3), speed: 999)}]");
        await _tracker.PublishPosition(asset, "{ \"lat\": 16.06, ");
        await _tracker.PublishPosition(asset, Position(108.2205, 16.0605, start.AddSeconds(4), id: "bus-other"));
        await _tracker.PublishPosition(unknown, Position(108.2206, 16.0606, start.AddSeconds(5)));
        await _tracker.PublishPosition(asset, Position(108.2207, 16.0607, start.AddSeconds(6)));

        var latest = await Eventually.Until(() => api.Http.Get<AssetView>($"/api/v1/assets/{asset}"), a => a.Location?.Lon == 108.2207,
            TimeSpan.FromSeconds(15), "a good position after the refused ones arrives");
        Assert.Equal((16.0607, 40.0, 180.0, "en-route"), (latest.Location!.Value.Lat, latest.SpeedKmh, latest.HeadingDeg, latest.Status));
        // Messages of one connection are taken in order: every refusal was logged before the last position arrived.
        Assert.Equal(1, Refusals($"[1].speed"));
        Assert.Equal(1, Refusals($"ioctwin/assets/{asset}/position refused: payload: malformed"));
        Assert.Equal(1, Refusals("'bus-other' is not the topic's asset"));
        Assert.Equal(1, Refusals($"'{unknown}' is not a registered asset"));

        // Nothing of a refused message was stored: the track holds the three accepted positions only.
        var window = $"from={Uri.EscapeDataString(start.AddSeconds(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddSeconds(10).ToString("O"))}";
        var track = await api.Http.Get<AssetTrack>($"/api/v1/assets/{asset}/track?{window}");
        Assert.Equal([108.2201, 108.2202, 108.2207], track.Points.Select(p => Math.Round(p.Location.Lon, 4)));
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/api/v1/assets/{unknown}")).StatusCode);
    }
}
