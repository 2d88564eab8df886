using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class AssetIndexState
{
    [Id(0)] public Dictionary<string, AssetEntry> Assets { get; set; } = [];
    /// <summary>Entries and exits counted per area since the index was created.</summary>
    [Id(1)] public Dictionary<string, long> Entered { get; set; } = [];
    [Id(2)] public Dictionary<string, long> Left { get; set; } = [];
}

/// <summary>One shard of the asset index: its assets, their areas, and their entries and exits per area; written at once, as assets change areas (not at every report).</summary>
public sealed class AssetIndexGrain(
    [PersistentState("asset-index", TwinStorage.Name)] IPersistentState<AssetIndexState> state) : Grain, IAssetIndexGrain
{
    public async Task Put(AssetEntry entry)
    {
        state.State.Assets[entry.Id] = entry;
        await state.WriteStateAsync();
    }

    public async Task Moved(string assetId, string? fromAreaId, string? toAreaId)
    {
        if (!state.State.Assets.TryGetValue(assetId, out var entry))
        {
            return;
        }
        state.State.Assets[assetId] = entry with { AreaId = toAreaId };
        if (fromAreaId is not null)
        {
            state.State.Left[fromAreaId] = state.State.Left.GetValueOrDefault(fromAreaId) + 1;
        }
        if (toAreaId is not null)
        {
            state.State.Entered[toAreaId] = state.State.Entered.GetValueOrDefault(toAreaId) + 1;
        }
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<AssetEntry>> List() =>
        Task.FromResult<IReadOnlyList<AssetEntry>>([.. state.State.Assets.Values.OrderBy(a => a.Id, StringComparer.Ordinal)]);

    public Task<IReadOnlyList<AreaAssetCount>> Counts()
    {
        var inside = state.State.Assets.Values.Where(a => a.AreaId is not null).CountBy(a => a.AreaId!).ToDictionary();
        var areas = inside.Keys.Concat(state.State.Entered.Keys).Concat(state.State.Left.Keys).Distinct().Order(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<AreaAssetCount>>([.. areas.Select(id => new AreaAssetCount(id, inside.GetValueOrDefault(id),
            state.State.Entered.GetValueOrDefault(id), state.State.Left.GetValueOrDefault(id)))]);
    }
}
