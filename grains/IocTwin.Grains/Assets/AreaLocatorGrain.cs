using IocTwin.Domain;
using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>
/// Finds the deepest area holding each point: from the areas directly under the city down through the children holding
/// it. Holds the areas' boundaries and reads them again when the city's tree of areas changes, and within
/// <see cref="BoundaryRefresh"/> of an area's outline being corrected (the tree does not change with an outline).
/// </summary>
[StatelessWorker(1)]
public sealed class AreaLocatorGrain(TimeProvider time) : Grain, IAreaLocatorGrain
{
    /// <summary>How long an area's corrected outline may go unseen here: as long as assets take to apply a changed geofence.</summary>
    public static readonly TimeSpan BoundaryRefresh = AssetGrain.RulesRefresh;

    private AreaTree _tree = AreaTree.Empty;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private Dictionary<string, DistrictSpec> _areas = [];
    private List<string> _roots = [];

    public async Task<string[][]> Locate(GeoPoint[] points)
    {
        await RefreshAsync();
        var paths = new string[points.Length][];
        for (var i = 0; i < points.Length; i++)
        {
            paths[i] = PathOf(points[i]);
        }
        return paths;
    }

    private string[] PathOf(GeoPoint point)
    {
        var path = new List<string>();
        IReadOnlyList<string> candidates = _roots;
        while (candidates.FirstOrDefault(id => _areas.TryGetValue(id, out var area) && AreaGeometry.Holds(area, point)) is { } holding)
        {
            path.Add(holding);
            candidates = _tree.Children(holding);
        }
        path.Reverse();
        return [.. path];
    }

    private async Task RefreshAsync()
    {
        var tree = await GrainFactory.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
        var now = time.GetUtcNow();
        if ((ReferenceEquals(tree, _tree) || tree.Links.SequenceEqual(_tree.Links)) && now - _readAt < BoundaryRefresh)
        {
            return;
        }
        var views = await Task.WhenAll(tree.Links.Select(l => GrainFactory.GetGrain<IDistrictGrain>(l.Id).Get()));
        _areas = views.OfType<DistrictView>().Where(v => v.Boundary is { Count: >= 3 })
            .ToDictionary(v => v.Id, v => new DistrictSpec(v.Id, v.Name, v.NameEn, v.Boundary!, v.Kind ?? AreaKinds.District, v.ParentId,
                v.Schematic, v.MoreParts));
        _roots = [.. tree.Links.Where(l => l.ParentId is null).Select(l => l.Id).Order(StringComparer.Ordinal)];
        _tree = tree;
        _readAt = now;
    }
}
