using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Moving assets in one scope's next frame: the latest view of each asset the scope covers, and the ids of those that
/// left it (an area scope's asset that crossed into an area the scope does not cover, a sector scope's asset registered
/// again to a sector the scope does not cover). Sent at the scope's frame rate, beside its delta.
/// </summary>
public sealed class ScopeAssets
{
    private readonly Dictionary<string, AssetView> _changed = [];
    private readonly HashSet<string> _left = [];

    public void Apply(TwinScope scope, AssetUpdate update)
    {
        var asset = update.Asset;
        if (scope.Covers(asset))
        {
            _changed[asset.Id] = asset;
            _left.Remove(asset.Id);
        }
        else if (WasCovered(scope, update))
        {
            _changed.Remove(asset.Id);
            _left.Add(asset.Id);
        }
    }

    private static bool WasCovered(TwinScope scope, AssetUpdate update) => scope.Kind switch
    {
        ScopeKind.District => update.PreviousAreaId is { } area && scope.Covered.Contains(area),
        ScopeKind.Sector => update.PreviousSector is { } sector && scope.Sectors.Contains(sector),
        _ => false,
    };

    public AssetsFrame? TakeFrame(string scope)
    {
        if (_changed.Count == 0 && _left.Count == 0)
        {
            return null;
        }
        var frame = new AssetsFrame(scope, [.. _changed.Values], [.. _left]);
        _changed.Clear();
        _left.Clear();
        return frame;
    }
}
