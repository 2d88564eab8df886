namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Shortest paths from every origin zone at given link costs: the shortest-path travel time of all demand (SPTT) and,
/// on request, the all-or-nothing link loading. Origins are split into a fixed number of chunks, each with its own
/// buffers, and results are combined in origin (chunk) order, so the sums are the same bit for bit on any number of cores.
/// </summary>
public sealed class ShortestPathSweep
{
    private const int ChunkCount = 8;

    private readonly EquilibriumNetwork _network;
    private readonly ShortestPathTree[] _trees;
    private readonly double[][] _loads;
    private readonly double[] _originSptt;
    private readonly ParallelOptions _parallel;
    private double[] _cost = [];
    private bool _load;

    public ShortestPathSweep(EquilibriumNetwork network, int? maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        var chunks = Math.Max(1, Math.Min(ChunkCount, network.ZoneCount));
        _trees = new ShortestPathTree[chunks];
        _loads = new double[chunks][];
        for (var i = 0; i < chunks; i++)
        {
            _trees[i] = new ShortestPathTree(network);
            _loads[i] = new double[network.LinkCount];
        }
        _originSptt = new double[network.ZoneCount];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
    }

    /// <summary>
    /// Shortest paths at <paramref name="cost"/>; returns SPTT = Σ demand × shortest path cost. With
    /// <paramref name="allOrNothing"/>, also fills it with every trip loaded on its shortest path.
    /// </summary>
    public double Run(double[] cost, double[]? allOrNothing)
    {
        _cost = cost;
        _load = allOrNothing is not null;
        FixedChunks.Run(_trees.Length, _parallel, RunChunk);
        if (allOrNothing is not null)
        {
            Array.Clear(allOrNothing);
            foreach (var part in _loads)
            {
                for (var a = 0; a < allOrNothing.Length; a++)
                {
                    allOrNothing[a] += part[a];
                }
            }
        }
        double sptt = 0;
        foreach (var value in _originSptt)
        {
            sptt += value;
        }
        return sptt;
    }

    private void RunChunk(int index)
    {
        var tree = _trees[index];
        var load = _loads[index];
        if (_load)
        {
            Array.Clear(load);
        }
        var zones = _network.ZoneCount;
        var (first, last) = FixedChunks.Range(index, _trees.Length, zones);
        for (var origin = first; origin < last; origin++)
        {
            if (_network.DemandStart[origin] == _network.DemandStart[origin + 1])
            {
                _originSptt[origin] = 0;
                continue;
            }
            tree.Build(origin, _cost);
            _originSptt[origin] = tree.DemandCost(origin);
            if (_load)
            {
                tree.LoadDemand(origin, load);
            }
        }
    }
}
