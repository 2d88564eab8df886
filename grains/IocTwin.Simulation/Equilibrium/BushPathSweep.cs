namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Told the shortest-path costs from every origin at a gap measurement: the last measurement of an assignment is at
/// its final flows, so what it was told last holds for the result.
/// </summary>
internal interface IShortestPathObserver
{
    /// <summary>A measurement starts over <paramref name="chunks"/> fixed chunks of origins: forget the last one.</summary>
    void Begin(int chunks);

    /// <summary>
    /// The shortest-path cost from <paramref name="origin"/> to every node (+∞ where unreachable), from chunk
    /// <paramref name="chunk"/>; chunks run in parallel, the origins of a chunk in order.
    /// </summary>
    void Visit(int chunk, int origin, double[] distance);
}

/// <summary>
/// Shortest paths from every origin for Algorithm B's gap, started from its bushes: one pass over the bush in its
/// topological order, pushing every out-link of each node (bush or not), gives each node a path cost that is exact
/// wherever the bush holds a shortest path; the few nodes a link outside the bush (or back in the order) makes
/// cheaper are corrected from a heap, label-correcting, until no link shortens any path — the same distances
/// Dijkstra's algorithm finds, at a fraction of its heap work. An origin with no bush order yet (just started from its
/// shortest paths) gets a Dijkstra tree. Origins run in a fixed split into chunks, each with its own buffers, and
/// per-origin sums are added in origin order, so the result is the same bit for bit on any number of cores.
/// </summary>
internal sealed class BushPathSweep
{
    private const int ChunkCount = 8;

    private readonly EquilibriumNetwork _net;
    private readonly Buffers[] _chunks;
    private readonly double[] _originSptt;
    private readonly ParallelOptions _parallel;
    private Bushes? _bushes;
    private double[] _cost = [];

    public BushPathSweep(EquilibriumNetwork network, int? maxDegreeOfParallelism)
    {
        _net = network;
        _chunks = new Buffers[Math.Max(1, Math.Min(ChunkCount, network.ZoneCount))];
        for (var i = 0; i < _chunks.Length; i++)
        {
            _chunks[i] = new Buffers(network);
        }
        _originSptt = new double[network.ZoneCount];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
    }

    /// <summary>Told every origin's shortest-path costs, those without demand included; null: only origins with demand are swept.</summary>
    public IShortestPathObserver? Observer { get; set; }

    /// <summary>SPTT = Σ demand × shortest path cost at <paramref name="cost"/>, from the paths of <paramref name="bushes"/>.</summary>
    public double Run(Bushes bushes, double[] cost)
    {
        _bushes = bushes;
        _cost = cost;
        Observer?.Begin(_chunks.Length);
        FixedChunks.Run(_chunks.Length, _parallel, RunChunk);
        double sptt = 0;
        foreach (var value in _originSptt)
        {
            sptt += value;
        }
        return sptt;
    }

    private void RunChunk(int index)
    {
        var buffers = _chunks[index];
        var zones = _net.ZoneCount;
        var (first, last) = FixedChunks.Range(index, _chunks.Length, zones);
        for (var origin = first; origin < last; origin++)
        {
            var hasDemand = _net.DemandStart[origin] < _net.DemandStart[origin + 1];
            _originSptt[origin] = 0;
            if (!hasDemand && Observer is null)
            {
                continue;
            }
            double[] distance;
            if (_bushes!.Order[origin] is { } order)
            {
                FromBush(buffers, origin, order, _bushes.OrderCount[origin]);
                distance = buffers.Distance;
            }
            else
            {
                buffers.Tree.Build(origin, _cost);
                distance = buffers.Tree.Distance;
            }
            if (hasDemand)
            {
                _originSptt[origin] = ShortestPathTree.DemandCost(_net, origin, distance);
            }
            Observer?.Visit(index, origin, distance);
        }
    }

    private void FromBush(Buffers buffers, int origin, int[] order, int orderCount)
    {
        var net = _net;
        var cost = _cost;
        var distance = buffers.Distance;
        var pending = buffers.Pending;
        var heap = buffers.Heap;
        var stamp = ++buffers.Stamp;
        Array.Fill(distance, double.PositiveInfinity);
        heap.Clear();
        for (var k = 0; k < orderCount; k++)
        {
            pending[order[k]] = stamp;
        }
        distance[origin] = 0;
        for (var k = 0; k < orderCount; k++)
        {
            // Every bush link into a node leaves a node before it in the order, so its cost is final when it is scanned.
            var u = order[k];
            pending[u] = 0;
            Relax(u);
        }
        while (heap.TryPop(out var u))
        {
            Relax(u);
        }

        void Relax(int u)
        {
            var du = distance[u];
            if (double.IsPositiveInfinity(du) || !net.PassesThrough(u, origin))
            {
                return;
            }
            for (var e = net.OutStart[u]; e < net.OutStart[u + 1]; e++)
            {
                var a = net.OutLinks[e];
                var v = net.To[a];
                var candidate = du + cost[a];
                if (candidate < distance[v])
                {
                    distance[v] = candidate;
                    // A node still to come in the order is scanned then; any other is corrected from the heap.
                    if (pending[v] != stamp)
                    {
                        heap.Update(v, candidate);
                    }
                }
            }
        }
    }

    private sealed class Buffers(EquilibriumNetwork network)
    {
        public readonly double[] Distance = new double[network.NodeCount];
        public readonly int[] Pending = new int[network.NodeCount];
        public readonly NodeHeap Heap = new(network.NodeCount);
        public readonly ShortestPathTree Tree = new(network);
        public int Stamp;
    }
}
