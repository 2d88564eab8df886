using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>An asset's stored state and the asset index load back with what screens, scopes and geofences rely on.</summary>
public sealed class AssetStoredStateTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void An_asset_loads_with_its_position_area_and_open_geofence_alerts()
    {
        var at = new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(7));
        var stored = Serializer.SerializeToArray(new AssetState
        {
            Spec = new AssetSpec("amb-1", "Cấp cứu 1", AssetKind.Ambulance, Sector.PublicSafety),
            Position = new AssetPosition(new GeoPoint(108.2, 16.05), 90, 42.5, "en-route", at),
            AreaPath = ["ward-1", "district-1"],
            Version = 7,
            Geofences = { ["port"] = new GeofenceMark { Seen = true, Inside = true, EnteredAt = at, Fired = true, AlertAreaId = "ward-1" } },
        });

        var loaded = Serializer.Deserialize<AssetState>(stored)!;

        Assert.Equal(AssetKind.Ambulance, loaded.Spec!.Kind);
        Assert.Equal(new AssetPosition(new GeoPoint(108.2, 16.05), 90, 42.5, "en-route", at), loaded.Position);
        Assert.Equal(["ward-1", "district-1"], loaded.AreaPath);
        Assert.Equal(7, loaded.Version);
        var mark = loaded.Geofences["port"];
        Assert.Equal((true, true, at, true, "ward-1"), (mark.Seen, mark.Inside, mark.EnteredAt, mark.Fired, mark.AlertAreaId));
    }

    [Fact]
    public void The_asset_index_loads_with_each_assets_area_and_the_counts_of_entries_and_exits()
    {
        var stored = Serializer.SerializeToArray(new AssetIndexState
        {
            Assets = { ["bus-1"] = new AssetEntry("bus-1", AssetKind.Bus, Sector.Traffic, "ward-2") },
            Entered = { ["ward-2"] = 3 },
            Left = { ["ward-1"] = 2 },
        });

        var loaded = Serializer.Deserialize<AssetIndexState>(stored)!;

        Assert.Equal(new AssetEntry("bus-1", AssetKind.Bus, Sector.Traffic, "ward-2"), loaded.Assets["bus-1"]);
        Assert.Equal((3L, 2L), (loaded.Entered["ward-2"], loaded.Left["ward-1"]));
    }
}
