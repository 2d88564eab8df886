namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Static user-equilibrium assignment by Algorithm B (Dial 2006), a bush-based method: each origin keeps its flow on
/// a bush, an acyclic subnetwork rooted at the origin; within the bush, flow moves from the longest used path to the
/// shortest one at every node by Newton steps on the pair of path segments where they differ, and the bush grows by
/// the links that shorten its longest paths and drops the links it no longer uses.
/// </summary>
/// <remarks>
/// Convergence is measured by the relative gap (TSTT − SPTT) / TSTT (see <see cref="EquilibriumResult"/>). Origins
/// are processed one after the other in zone order and each shift updates the link costs at once, so the sequence of
/// operations, and with it the result, does not depend on the number of cores; only the gap's shortest-path sweep runs
/// in parallel, and it combines its per-origin sums in origin order.
/// </remarks>
public sealed class AlgorithmB
{
    /// <summary>
    /// Bush flow left on a link below this share of the origin's demand after a shift is rounding residue: it goes with
    /// the shift, or paths that carry nothing would stay the longest used ones and hold every later shift to nothing.
    /// </summary>
    private const double ResidueShare = 1e-12;

    /// <summary>Flow-shifting passes over one origin's bush each time it is visited.</summary>
    private const int ShiftPasses = 2;

    private readonly EquilibriumNetwork _net;
    private readonly EquilibriumOptions _options;
    private double[]?[] _bushFlow = [];
    private bool[]?[] _inBush = [];
    private readonly double[] _nodeTrips;
    private readonly double[] _residue;
    private readonly double[] _flow;
    private readonly double[] _cost;
    private readonly double[] _derivative;
    private readonly int[] _order;
    private readonly int[] _position;
    private readonly int[] _indegree;
    private readonly double[] _min;
    private readonly double[] _max;
    private readonly int[] _minPred;
    private readonly int[] _maxPred;
    private readonly List<int> _minSegment = [];
    private readonly List<int> _maxSegment = [];
    private int _orderCount;

    /// <summary>A solver for <paramref name="network"/> with its buffers, for repeated assignments on it.</summary>
    public AlgorithmB(EquilibriumNetwork network, EquilibriumOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        _net = network;
        _options = options ?? new EquilibriumOptions();
        var zones = network.ZoneCount;
        _residue = new double[zones];
        _nodeTrips = new double[network.NodeCount];
        var nodes = network.NodeCount;
        var links = network.LinkCount;
        _flow = new double[links];
        _cost = new double[links];
        _derivative = new double[links];
        _order = new int[nodes];
        _position = new int[nodes];
        _indegree = new int[nodes];
        _min = new double[nodes];
        _max = new double[nodes];
        _minPred = new int[nodes];
        _maxPred = new int[nodes];
    }

    /// <summary>Assigns the demand of <paramref name="network"/> to the relative gap of <paramref name="options"/>.</summary>
    public static EquilibriumResult Solve(EquilibriumNetwork network, EquilibriumOptions? options = null) =>
        new AlgorithmB(network, options).Solve(warm: null);

    /// <summary>
    /// Assigns the network's current demand. With <paramref name="warm"/> (the bushes of an earlier assignment on this
    /// network, updated in place and returned in the result), each origin keeps its bush: links that now cost +∞
    /// (closed) leave it, and its new demand is first loaded by the splits its flows had. An origin whose bush no longer
    /// reaches all its destinations starts again, as every origin does without <paramref name="warm"/>, from its
    /// shortest paths at the costs of that loading.
    /// </summary>
    public EquilibriumResult Solve(Bushes? warm) => Solve(warm, _options.MaxIterations);

    /// <summary>As <see cref="Solve(Bushes?)"/>, stopping after <paramref name="maxIterations"/> (0: the starting loading only).</summary>
    public EquilibriumResult Solve(Bushes? warm, int maxIterations)
    {
        var net = _net;
        var bushes = warm ?? new Bushes(net.ZoneCount);
        if (bushes.ZoneCount != net.ZoneCount)
        {
            throw new ArgumentException($"The bushes have {bushes.ZoneCount} zones, the network {net.ZoneCount}", nameof(warm));
        }
        _bushFlow = bushes.Flow;
        _inBush = bushes.InBush;
        var sweep = new ShortestPathSweep(net, _options.MaxDegreeOfParallelism);
        var gaps = new List<double>();

        // Start: kept bushes loaded with the new demand by their old splits; the other origins' demand on the shortest
        // paths at the resulting costs, which are their first bushes.
        for (var origin = 0; origin < net.ZoneCount; origin++)
        {
            var demand = 0.0;
            for (var k = net.DemandStart[origin]; k < net.DemandStart[origin + 1]; k++)
            {
                demand += net.DemandVolume[k];
            }
            _residue[origin] = ResidueShare * demand;
            if (!HasDemand(origin))
            {
                bushes.Drop(origin);
            }
        }
        for (var a = 0; a < net.LinkCount; a++)
        {
            _cost[a] = net.Cost(a, 0);
        }
        var cold = new List<int>();
        for (var origin = 0; origin < net.ZoneCount; origin++)
        {
            if (HasDemand(origin) && !(_inBush[origin] is not null && Reload(origin)))
            {
                bushes.Drop(origin);
                cold.Add(origin);
            }
        }
        SumBushes();
        for (var a = 0; a < net.LinkCount; a++)
        {
            _cost[a] = net.Cost(a, _flow[a]);
        }
        var tree = new ShortestPathTree(net);
        foreach (var origin in cold)
        {
            tree.Build(origin, _cost);
            tree.DemandCost(origin); // throws when a destination has no path
            var inBush = _inBush[origin] = new bool[net.LinkCount];
            for (var i = 1; i < tree.SettledCount; i++)
            {
                inBush[tree.PredecessorLink[tree.SettleOrder[i]]] = true;
            }
            tree.LoadDemand(origin, _bushFlow[origin] = new double[net.LinkCount]);
        }

        var (gap, tstt, sptt) = Measure(sweep);
        gaps.Add(gap);
        var iterations = 0;
        while (gap > _options.RelativeGap && iterations < maxIterations)
        {
            for (var origin = 0; origin < net.ZoneCount; origin++)
            {
                if (!HasDemand(origin))
                {
                    continue;
                }
                ImproveBush(origin);
                for (var pass = 0; pass < ShiftPasses; pass++)
                {
                    ShiftFlows(origin);
                }
            }
            iterations++;
            (gap, tstt, sptt) = Measure(sweep);
            gaps.Add(gap);
        }
        return new EquilibriumResult((double[])_flow.Clone(), (double[])_cost.Clone(), gap, iterations, tstt, sptt, gaps) { Bushes = bushes };
    }

    /// <summary>
    /// Adds trips to <paramref name="linkFlow"/> along the bush of <paramref name="origin"/>, split at every node as
    /// the bush's flows split there (a node the origin sends nothing through passes trips on by its first bush link).
    /// <paramref name="nodeTrips"/> holds the trips to each node and is cleared on the way.
    /// </summary>
    public void Load(Bushes bushes, int origin, double[] nodeTrips, double[] linkFlow)
    {
        ArgumentNullException.ThrowIfNull(bushes);
        ArgumentNullException.ThrowIfNull(nodeTrips);
        ArgumentNullException.ThrowIfNull(linkFlow);
        var inBush = bushes.InBush[origin] ?? throw new ArgumentException($"Zone {origin + 1} has no bush", nameof(origin));
        var bush = bushes.Flow[origin]!;
        _inBush = bushes.InBush;
        TopologicalOrder(origin);
        var net = _net;
        for (var k = _orderCount - 1; k >= 1; k--)
        {
            var j = _order[k];
            var through = nodeTrips[j];
            if (through == 0)
            {
                continue;
            }
            nodeTrips[j] = 0;
            var inflow = 0.0;
            var first = -1;
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a])
                {
                    inflow += bush[a];
                    first = first < 0 ? a : first;
                }
            }
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a])
                {
                    var share = inflow > 0 ? through * bush[a] / inflow : a == first ? through : 0;
                    linkFlow[a] += share;
                    nodeTrips[net.From[a]] += share;
                }
            }
        }
        nodeTrips[origin] = 0;
    }

    /// <summary>The relative gap this solver iterates to.</summary>
    public double RequestedGap => _options.RelativeGap;

    private bool HasDemand(int origin) => _net.DemandStart[origin] < _net.DemandStart[origin + 1];

    /// <summary>
    /// Warm start of one origin: drops closed links and what they cut off from its bush, then loads its demand by the
    /// splits of its old flows (on the cheapest bush link where nothing went through). False when the bush no longer
    /// reaches a destination.
    /// </summary>
    private bool Reload(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
        for (var a = 0; a < inBush.Length; a++)
        {
            inBush[a] &= !double.IsPositiveInfinity(_cost[a]);
        }
        PruneUnreachable(origin);
        for (var a = 0; a < inBush.Length; a++)
        {
            if (!inBush[a])
            {
                bush[a] = 0;
            }
        }
        TopologicalOrder(origin);
        for (var k = net.DemandStart[origin]; k < net.DemandStart[origin + 1]; k++)
        {
            var destination = net.DemandDestination[k];
            if (_position[destination] < 0)
            {
                Array.Clear(_nodeTrips);
                return false;
            }
            _nodeTrips[destination] += net.DemandVolume[k];
        }
        Labels(origin, usedOnly: false);
        for (var k = _orderCount - 1; k >= 1; k--)
        {
            var j = _order[k];
            var through = _nodeTrips[j];
            _nodeTrips[j] = 0;
            var inflow = 0.0;
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                inflow += inBush[a] ? bush[a] : 0;
            }
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a])
                {
                    bush[a] = inflow > 0 ? through * bush[a] / inflow : a == _minPred[j] ? through : 0;
                    _nodeTrips[net.From[a]] += bush[a];
                }
            }
        }
        _nodeTrips[origin] = 0;
        return true;
    }

    /// <summary>Takes out of the origin's bush the links its other links no longer reach from the origin.</summary>
    private void PruneUnreachable(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        Array.Fill(_position, -1);
        var count = 0;
        _order[count++] = origin;
        _position[origin] = 0;
        for (var head = 0; head < count; head++)
        {
            var u = _order[head];
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var a = net.OutLinks[k];
                if (inBush[a] && _position[net.To[a]] < 0)
                {
                    _position[net.To[a]] = 0;
                    _order[count++] = net.To[a];
                }
            }
        }
        for (var a = 0; a < inBush.Length; a++)
        {
            inBush[a] &= _position[net.From[a]] >= 0;
        }
    }

    private void SumBushes()
    {
        Array.Clear(_flow);
        foreach (var bush in _bushFlow)
        {
            if (bush is null)
            {
                continue;
            }
            for (var a = 0; a < _flow.Length; a++)
            {
                _flow[a] += bush[a];
            }
        }
    }

    /// <summary>Link flows as the sum of the bushes in origin order (no drift from the shifts), their costs and the gap.</summary>
    private (double Gap, double Tstt, double Sptt) Measure(ShortestPathSweep sweep)
    {
        SumBushes();
        var measured = RelativeGap.Measure(_net, sweep, _flow, _cost);
        for (var a = 0; a < _flow.Length; a++)
        {
            _derivative[a] = _net.CostDerivative(a, _flow[a]);
        }
        return measured;
    }

    /// <summary>
    /// Drops the links the origin does not use (keeping its shortest-path tree within the bush), then adds every link
    /// (i, j) with U_i + t_ij &lt; U_j, U being the longest path cost within the bush. Bush links all satisfy
    /// U_j ≥ U_i + t_ij, so links added with the strict inequality keep the bush acyclic.
    /// </summary>
    private void ImproveBush(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
        TopologicalOrder(origin);
        Labels(origin, usedOnly: false);
        for (var a = 0; a < inBush.Length; a++)
        {
            if (inBush[a] && bush[a] <= 0 && _minPred[net.To[a]] != a)
            {
                inBush[a] = false;
            }
        }
        Labels(origin, usedOnly: false);
        var added = false;
        for (var a = 0; a < inBush.Length; a++)
        {
            if (inBush[a])
            {
                continue;
            }
            var i = net.From[a];
            var j = net.To[a];
            if (_position[i] >= 0 && _position[j] >= 0 && net.PassesThrough(i, origin) && _max[i] + _cost[a] < _max[j])
            {
                inBush[a] = true;
                added = true;
            }
        }
        if (!added)
        {
            // No link shortens a longest path, yet a shorter path may exist outside the bush: add the links that shorten
            // a shortest path and run forward in the bush's topological order, which cannot close a cycle either.
            for (var a = 0; a < inBush.Length; a++)
            {
                var i = net.From[a];
                var j = net.To[a];
                if (!inBush[a] && _position[i] >= 0 && _position[i] < _position[j] && net.PassesThrough(i, origin) &&
                    _min[i] + _cost[a] < _min[j])
                {
                    inBush[a] = true;
                    added = true;
                }
            }
        }
        if (added)
        {
            TopologicalOrder(origin);
        }
    }

    /// <summary>At every node, farthest first, moves flow from the longest used path segment to the shortest one.</summary>
    private void ShiftFlows(int origin)
    {
        var net = _net;
        var bush = _bushFlow[origin]!;
        Labels(origin, usedOnly: true);
        for (var k = _orderCount - 1; k >= 1; k--)
        {
            var j = _order[k];
            if (_maxPred[j] < 0 || _maxPred[j] == _minPred[j] || _max[j] <= _min[j])
            {
                continue;
            }
            if (!Segments(j))
            {
                continue;
            }
            double longCost = 0, shortCost = 0, slope = 0, movable = double.PositiveInfinity;
            foreach (var a in _maxSegment)
            {
                longCost += _cost[a];
                slope += _derivative[a];
                movable = Math.Min(movable, bush[a]);
            }
            foreach (var a in _minSegment)
            {
                shortCost += _cost[a];
                slope += _derivative[a];
            }
            var excess = longCost - shortCost;
            if (excess <= 0 || movable <= 0)
            {
                continue;
            }
            var shift = slope > 0 ? Math.Min(movable, excess / slope) : movable;
            foreach (var a in _maxSegment)
            {
                // What rounding leaves of a link's flow is taken off it too, so that the link drops out of the bush.
                var left = bush[a] - shift;
                var removed = left < _residue[origin] ? bush[a] : shift;
                bush[a] -= removed;
                SetFlow(a, _flow[a] - removed);
            }
            foreach (var a in _minSegment)
            {
                bush[a] += shift;
                SetFlow(a, _flow[a] + shift);
            }
        }
    }

    private void SetFlow(int a, double x)
    {
        x = Math.Max(0, x);
        _flow[a] = x;
        _cost[a] = _net.Cost(a, x);
        _derivative[a] = _net.CostDerivative(a, x);
    }

    /// <summary>
    /// The shortest and longest used path segments ending at <paramref name="j"/> back to the node where they last
    /// meet; false when the longest path runs out (flow below what doubles resolve).
    /// </summary>
    private bool Segments(int j)
    {
        var from = _net.From;
        _minSegment.Clear();
        _maxSegment.Clear();
        var a = _minPred[j];
        var b = _maxPred[j];
        _minSegment.Add(a);
        _maxSegment.Add(b);
        var p = from[a];
        var q = from[b];
        while (p != q)
        {
            if (_position[p] > _position[q])
            {
                a = _minPred[p];
                _minSegment.Add(a);
                p = from[a];
            }
            else
            {
                b = _maxPred[q];
                if (b < 0)
                {
                    return false;
                }
                _maxSegment.Add(b);
                q = from[b];
            }
        }
        return true;
    }

    /// <summary>The bush's nodes in topological order from the origin (Kahn's algorithm); each node's position in it, or -1.</summary>
    private void TopologicalOrder(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        Array.Clear(_indegree);
        var bushLinks = 0;
        for (var a = 0; a < inBush.Length; a++)
        {
            if (inBush[a])
            {
                _indegree[net.To[a]]++;
                bushLinks++;
            }
        }
        Array.Fill(_position, -1);
        _orderCount = 0;
        _order[_orderCount++] = origin;
        var visited = 0;
        for (var head = 0; head < _orderCount; head++)
        {
            var u = _order[head];
            _position[u] = head;
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var a = net.OutLinks[k];
                if (!inBush[a])
                {
                    continue;
                }
                visited++;
                if (--_indegree[net.To[a]] == 0)
                {
                    _order[_orderCount++] = net.To[a];
                }
            }
        }
        if (visited != bushLinks)
        {
            throw new InvalidOperationException($"The bush of zone {origin + 1} has a cycle or a link not reachable from the zone");
        }
    }

    /// <summary>
    /// Shortest (min) and longest (max) path costs from the origin within the bush, in topological order, with the last
    /// link of each; with <paramref name="usedOnly"/>, longest paths run over links the origin uses.
    /// </summary>
    private void Labels(int origin, bool usedOnly)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
        _min[origin] = 0;
        _max[origin] = 0;
        _minPred[origin] = -1;
        _maxPred[origin] = -1;
        for (var k = 1; k < _orderCount; k++)
        {
            var j = _order[k];
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            int minPred = -1, maxPred = -1;
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (!inBush[a])
                {
                    continue;
                }
                var i = net.From[a];
                var c = _cost[a];
                if (_min[i] + c < min)
                {
                    min = _min[i] + c;
                    minPred = a;
                }
                if ((!usedOnly || bush[a] > 0) && _max[i] + c > max)
                {
                    max = _max[i] + c;
                    maxPred = a;
                }
            }
            _min[j] = min;
            _minPred[j] = minPred;
            _max[j] = max;
            _maxPred[j] = maxPred;
        }
    }
}
