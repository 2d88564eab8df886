namespace IocTwin.Model;

/// <summary>The kinds of moving asset the IOC tracks.</summary>
public enum AssetKind
{
    Ambulance,
    FireEngine,
    Bus,
    ServiceVehicle,
    FishingVessel,
}

/// <summary>An asset as registered: its kind and the sector whose OCs follow it.</summary>
[GenerateSerializer, Immutable]
public sealed record AssetSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] AssetKind Kind,
    [property: Id(3)] Sector Sector);

/// <summary>One report of where an asset is: heading in degrees clockwise from north, speed in km/h.</summary>
[GenerateSerializer, Immutable]
public sealed record AssetPosition(
    [property: Id(0)] GeoPoint Location,
    [property: Id(1)] double? HeadingDeg,
    [property: Id(2)] double? SpeedKmh,
    [property: Id(3)] string? Status,
    [property: Id(4)] DateTimeOffset Timestamp);

/// <summary>
/// An asset as screens and the API show it: its latest report and the deepest area holding that position (null when
/// outside every area of the city, as a vessel at sea).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AssetView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] AssetKind Kind,
    [property: Id(3)] Sector Sector,
    [property: Id(4)] GeoPoint? Location,
    [property: Id(5)] double? HeadingDeg,
    [property: Id(6)] double? SpeedKmh,
    [property: Id(7)] string? Status,
    [property: Id(8)] DateTimeOffset? ReportedAt,
    [property: Id(9)] string? AreaId,
    [property: Id(10)] long Version);

/// <summary>
/// An asset's new position for the hub, with the area it was in before (to tell the screens of that area it left) and,
/// when registered again to another sector, the sector it had (to tell that sector's screens it left).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AssetUpdate(
    [property: Id(0)] AssetView Asset,
    [property: Id(1)] string? PreviousAreaId,
    [property: Id(2)] Sector? PreviousSector = null);

/// <summary>What the asset index keeps of each asset: enough to list and scope assets without waking them.</summary>
[GenerateSerializer, Immutable]
public sealed record AssetEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] AssetKind Kind,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] string? AreaId);

/// <summary>Assets in an area now, and how many entered and left it since the index was created.</summary>
[GenerateSerializer, Immutable]
public sealed record AreaAssetCount(
    [property: Id(0)] string AreaId,
    [property: Id(1)] int Inside,
    [property: Id(2)] long Entered,
    [property: Id(3)] long Left);
