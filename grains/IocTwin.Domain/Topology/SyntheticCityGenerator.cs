using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// Builds a large, deterministic city for load and scale tests: a jittered street grid around Đà Nẵng
/// (one block ≈ 250 m) whose every segment belongs to one connected road graph, tiled by rectangular districts,
/// with sensors of every kind, most of them on road segments.
/// </summary>
/// <remarks>
/// Ids are <c>d-0001</c> (districts), <c>s-000001</c> (segments), <c>x-0000001</c> (sensors) and <c>n-000001</c>
/// (road nodes). When there are at least as many sensors as segments, every segment has a traffic counter; when
/// there are also enough left for it, every district has a sensor of every sector.
/// </remarks>
public static class SyntheticCityGenerator
{
    public const double BaseLon = 108.2;
    public const double BaseLat = 16.05;
    public const double BlockM = 250;

    public const int MaxDistricts = 1_000_000;
    public const int MaxSegments = 10_000_000;
    public const int MaxSensors = 100_000_000;

    private const double Jitter = 0.25; // of a block, so nodes never cross into the next block

    public static CitySpec Generate(SyntheticCityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Districts, 1, nameof(options.Districts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Districts, MaxDistricts, nameof(options.Districts));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Segments, nameof(options.Segments));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Segments, MaxSegments, nameof(options.Segments));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Sensors, nameof(options.Sensors));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Sensors, MaxSensors, nameof(options.Sensors));

        var rng = new SplitMix64(options.Seed);
        var grid = SyntheticGrid.Create(options.Segments);
        var districts = new SyntheticDistrictLayout(grid, options.Districts);

        var nodes = PlaceNodes(grid, ref rng);
        var nodeIds = new string[grid.Nodes];
        for (var i = 0; i < nodeIds.Length; i++)
        {
            nodeIds[i] = $"n-{i + 1:D6}";
        }

        var edges = ChooseEdges(grid, options.Segments, ref rng);
        var segments = SyntheticSegmentSet.Build(grid, districts, nodes, nodeIds, edges, ref rng);
        var sensors = SyntheticSensorPlacement.Place(districts, segments, options.Sensors, ref rng);

        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.WardsPerDistrict, 1_000, nameof(options.WardsPerDistrict));
        var city = new CitySpec(
            $"synthetic-{options.Seed}",
            $"Synthetic city {options.Districts}/{options.Segments}/{options.Sensors} (seed {options.Seed})",
            districts.Build(),
            segments.Specs,
            sensors);
        return SyntheticWards.Split(city, options.WardsPerDistrict);
    }

    private static GeoPoint[] PlaceNodes(SyntheticGrid grid, ref SplitMix64 rng)
    {
        var nodes = new GeoPoint[grid.Nodes];
        for (var i = 0; i < nodes.Length; i++)
        {
            var row = i / grid.Width;
            var col = i % grid.Width;
            var jx = (rng.NextDouble() * 2 - 1) * Jitter;
            var jy = (rng.NextDouble() * 2 - 1) * Jitter;
            nodes[i] = new GeoPoint(grid.OriginLon + (col + jx) * grid.DLon, grid.OriginLat + (row + jy) * grid.DLat);
        }
        return nodes;
    }

    /// <summary>
    /// A spanning tree first (every row's east-west street plus the westmost north-south street), so the graph is
    /// connected whatever the count; then randomly chosen north-south links up to the requested count.
    /// </summary>
    private static List<(int A, int B)> ChooseEdges(SyntheticGrid grid, int segments, ref SplitMix64 rng)
    {
        var edges = new List<(int A, int B)>(segments);
        var extra = new List<(int A, int B)>();
        for (var i = 0; i < grid.Nodes; i++)
        {
            var col = i % grid.Width;
            if (col + 1 < grid.Width && i + 1 < grid.Nodes)
            {
                edges.Add((i, i + 1));
            }
            var below = i + grid.Width;
            if (below < grid.Nodes)
            {
                (col == 0 ? edges : extra).Add((i, below));
            }
        }

        var needed = segments - edges.Count;
        if (needed > extra.Count)
        {
            throw new InvalidOperationException($"A {grid.Width}-wide grid of {grid.Nodes} nodes cannot hold {segments} segments.");
        }
        // Partial Fisher-Yates: the first `needed` entries become a uniform random pick.
        for (var i = 0; i < needed; i++)
        {
            var j = i + rng.NextInt(extra.Count - i);
            (extra[i], extra[j]) = (extra[j], extra[i]);
            edges.Add(extra[i]);
        }

        // Number segments from the south-west, east-west before north-south at each node.
        edges.Sort(static (x, y) => x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B));
        return edges;
    }
}
