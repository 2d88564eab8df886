using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// Registered assets with their kind, sector and area, and the assets counted per area; lists and scopes assets, and
/// tells known ids from unknown ones, without waking an asset grain. Key: the shard number (<see cref="AssetIndex"/>).
/// </summary>
public interface IAssetIndexGrain : IGrainWithIntegerKey
{
    [Alias("Put")]
    Task Put(AssetEntry entry);

    /// <summary>The asset moved from one area to another (either null: outside every area); counted as leaving and entering.</summary>
    [Alias("Moved")]
    Task Moved(string assetId, string? fromAreaId, string? toAreaId);

    [Alias("List")]
    Task<IReadOnlyList<AssetEntry>> List();

    [Alias("Counts")]
    Task<IReadOnlyList<AreaAssetCount>> Counts();
}
