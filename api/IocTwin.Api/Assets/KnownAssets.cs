using IocTwin.Grains;

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
}
