using IocTwin.Api.Access;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Assets;

/// <summary>
/// The ids of registered assets, read from the asset index: positions for an id not in it are refused without waking a
/// grain. An id not seen yet is looked up again in a read made after the request arrived.
/// </summary>
public sealed class KnownAssets(IGrainFactory grains)
{
    private volatile HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>The ids among these that name no registered asset.</summary>
    public async Task<List<string>> UnknownAsync(IEnumerable<string> ids)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.All(_ids.Contains))
        {
            return [];
        }
        var entries = await AssetIndex.ListAsync(grains);
        _ids = entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        return [.. distinct.Where(id => !_ids.Contains(id))];
    }

    public async Task<bool> ExistsAsync(string id) => (await UnknownAsync([id])).Count == 0;

    /// <summary>The assets the caller may see now (on REST and NGSI-LD alike), with their latest positions.</summary>
    public async Task<List<AssetView>> VisibleAsync(TwinAccess access)
    {
        var visible = (await AssetIndex.ListAsync(grains)).Where(e => access.CanSee(e.AreaId, e.Sector));
        var views = await Task.WhenAll(visible.Select(e => grains.GetGrain<IAssetGrain>(e.Id).Get()));
        // The index may lag an asset that just crossed: its own view decides.
        return [.. views.OfType<AssetView>().Where(v => access.CanSee(v.AreaId, v.Sector))];
    }

    /// <summary>
    /// One asset if the caller may see it; null when unknown or out of scope, alike, so that an answer tells nothing of an
    /// asset the caller may not see. Its index entry (one shard) decides first: the asset grain is woken only for an
    /// asset the index shows the caller, and its own view decides then, as the index may lag a crossing.
    /// </summary>
    public async Task<AssetView?> VisibleAsync(TwinAccess access, string id) =>
        (await AssetIndex.Of(grains, id).List()).FirstOrDefault(e => e.Id == id) is { } entry && access.CanSee(entry.AreaId, entry.Sector)
            && await grains.GetGrain<IAssetGrain>(id).Get() is { } asset && access.CanSee(asset.AreaId, asset.Sector) ? asset : null;
}
