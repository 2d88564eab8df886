using IocTwin.Simulation.Equilibrium;

namespace IocTwin.Simulation;

/// <summary>
/// Static traffic assignment of a run by Algorithm B (<see cref="AlgorithmB"/>) to a stated relative gap, with the
/// bushes kept from one assignment to the next.
/// </summary>
/// <remarks>
/// <para>Trips start at many nodes (all of a district's) and end at a few destination connectors, so the bushes are
/// rooted at the connectors: the equilibrium runs on the reversed road graph, where each connector is an origin and
/// the nodes trips start from are its destinations. Link indices are the road network's.</para>
/// <para>Demand is kept per component and per unit of its scale: after each assignment, every active component's unit
/// demand is loaded along the bushes by their splits, so flows follow a demand that grows or shrinks between
/// assignments. Algorithm B runs origin after origin, so the flows are the same bit for bit whatever the number of
/// cores; only the shortest-path sweeps, combined in a fixed order, run in parallel.</para>
/// </remarks>
internal sealed partial class AssignmentEngine
{
    private const int ChunkCount = 8;

    private readonly RoadNetwork _network;
    private readonly OdComponent[] _components;
    private readonly ZoneSet _zones;
    private readonly int[] _roots;
    private readonly int[] _memberStart;
    private readonly int[] _memberZone;
    private readonly double[] _memberWeight;
    private readonly int[] _reversedIndex;
    private readonly EquilibriumNetwork _reversed;
    private readonly double[] _freeFlowMinutes, _capacity, _capMinutes;
    private readonly AlgorithmB _solver;
    private readonly bool[][] _reach;
    private readonly Chunk[] _chunks;
    private readonly ParallelOptions _parallel;
    private readonly double[] _odAll;
    private readonly double[] _acc;
    private readonly bool[] _passable;
    private readonly int[] _demandStart;
    private readonly double[] _lastScale;
    private readonly bool[] _lastActive;
    private int[] _demandDestination = [];
    private double[] _demandVolume = [];
    private bool _reachKnown;
    private Bushes? _bushes;
    private BaselineRoutes? _startRoutes;

    public AssignmentEngine(RoadNetwork network, ZoneSet zones, OdComponent[] components, SimulationOptions options)
    {
        _network = network;
        _zones = zones;
        _components = components;

        // A root for every destination connector; a node may serve several zones.
        var memberships = new SortedDictionary<int, List<(int Zone, double Weight)>>();
        for (var z = 0; z < zones.Count; z++)
        {
            for (var k = zones.DestStart[z]; k < zones.DestStart[z + 1]; k++)
            {
                if (!memberships.TryGetValue(zones.DestNode[k], out var list))
                {
                    memberships[zones.DestNode[k]] = list = [];
                }
                list.Add((z, zones.DestWeight[k]));
            }
        }
        _roots = memberships.Keys.ToArray();
        _memberStart = new int[_roots.Length + 1];
        var zoneList = new List<int>();
        var weightList = new List<double>();
        var t = 0;
        foreach (var list in memberships.Values)
        {
            foreach (var (zone, weight) in list)
            {
                zoneList.Add(zone);
                weightList.Add(weight);
            }
            _memberStart[++t] = zoneList.Count;
        }
        _memberZone = zoneList.ToArray();
        _memberWeight = weightList.ToArray();

        // The reversed graph, its nodes renumbered so that root t is node t (an origin zone of the equilibrium).
        var nodes = network.NodeCount;
        _reversedIndex = new int[nodes];
        Array.Fill(_reversedIndex, -1);
        for (var r = 0; r < _roots.Length; r++)
        {
            _reversedIndex[_roots[r]] = r;
        }
        var next = _roots.Length;
        for (var n = 0; n < nodes; n++)
        {
            if (_reversedIndex[n] < 0)
            {
                _reversedIndex[n] = next++;
            }
        }
        var links = network.LinkCount;
        var from = new int[links];
        var to = new int[links];
        for (var a = 0; a < links; a++)
        {
            from[a] = _reversedIndex[network.LinkToArray[a]];
            to[a] = _reversedIndex[network.LinkFromArray[a]];
        }
        _freeFlowMinutes = new double[links];
        _capacity = new double[links];
        _capMinutes = new double[links];
        var alpha = new double[links];
        var beta = new double[links];
        Array.Fill(alpha, options.BprAlpha);
        Array.Fill(beta, options.BprBeta);
        // Only the roots are zones, so the solver's per-zone arrays and its gap sweeps span the connectors, not every node.
        _reversed = new EquilibriumNetwork(nodes, 0, from, to, _freeFlowMinutes, _capacity, alpha, beta, new double[links], _roots.Length, [])
        {
            CostCap = _capMinutes,
        };
        _solver = new AlgorithmB(_reversed, new EquilibriumOptions
        {
            RelativeGap = options.ConvergenceGap,
            MaxIterations = options.AssignmentIterationLimit,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        })
        {
            // The zone-to-zone times come from the assignment's last gap measurement, at its final flows.
            ShortestPathObserver = this,
        };
        _reach = new bool[_roots.Length][];
        for (var r = 0; r < _roots.Length; r++)
        {
            _reach[r] = new bool[nodes];
        }

        Flow = new double[components.Length][];
        for (var c = 0; c < components.Length; c++)
        {
            Flow[c] = new double[links];
        }
        HasRoutes = new bool[components.Length];
        OdMinutes = new double[zones.Count * zones.Count];
        OdReachable = new double[zones.Count * zones.Count];
        _odAll = new double[zones.Count * zones.Count];
        _acc = new double[nodes];
        _passable = new bool[links];
        _demandStart = new int[_roots.Length + 1];
        _lastScale = new double[components.Length];
        _lastActive = new bool[components.Length];
        _chunks = new Chunk[Math.Min(ChunkCount, Math.Max(1, _roots.Length))];
        for (var i = 0; i < _chunks.Length; i++)
        {
            _chunks[i] = new Chunk(_reversed, zones.Count);
        }
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
    }

    /// <summary>Link flows of each component per unit of its scale, in vehicles per hour.</summary>
    public double[][] Flow { get; }

    /// <summary>Whether each component has routes: it was active at an assignment since the last start from scratch.</summary>
    public bool[] HasRoutes { get; }

    /// <summary>Zone-to-zone shortest travel time in minutes (origin × zones + destination) at the last gathering; +∞ when unreachable.</summary>
    public double[] OdMinutes { get; }

    /// <summary>Share of each zone pair's trips (by node weights) that has a route at the last gathering.</summary>
    public double[] OdReachable { get; }

    /// <summary>The connectors (road network nodes, in root order) and the bushes of the last assignment.</summary>
    public (int[] RootNodes, Bushes Bushes) Routes => (_roots, _bushes ?? throw new InvalidOperationException("No assignment yet"));

    /// <summary>Routes that an assignment from scratch starts from instead of shortest paths (see <see cref="BaselineRoutes"/>).</summary>
    public void StartFrom(BaselineRoutes routes) => _startRoutes = routes;

    /// <summary>Sum of the components' flows at the given scales into <paramref name="total"/>.</summary>
    public void TotalFlow(ReadOnlySpan<double> scale, double[] total) => RouteSnapshot.TotalFlow(Flow, HasRoutes, scale, total);

    /// <summary>
    /// The user equilibrium of the components at their <paramref name="scale"/> on the links as
    /// <paramref name="conditions"/> has them (closed links left out), to the run's convergence gap or its iteration
    /// limit. Unless <paramref name="fromScratch"/>, each connector's bush carries on from the last assignment (see
    /// <see cref="AlgorithmB.Solve(Bushes?, double?, CancellationToken)"/>); from scratch, from a copy of the routes given to <see cref="StartFrom"/>,
    /// else from shortest paths. Trips with no route are left out. Fills <paramref name="total"/> with the flows and
    /// <paramref name="cost"/> with their link costs in minutes, and the zone-to-zone times at the final flows (from the
    /// assignment's last gap measurement).
    /// </summary>
    /// <returns>The iterations used, the relative gap reached and whether it is at or below the requested one.</returns>
    /// <param name="maxIterations">Fewer iterations than the run's limit; 0 keeps the starting loading (shortest paths, or the old splits).</param>
    public (int Iterations, double Gap, bool Converged) Equilibrate(LinkConditions conditions, ReadOnlySpan<double> scale, bool fromScratch,
        double[] total, double[] cost, int? maxIterations = null, CancellationToken cancellationToken = default)
    {
        for (var a = 0; a < total.Length; a++)
        {
            var open = conditions.Available[a];
            var length = _network.LinkLengthKmArray[a];
            _freeFlowMinutes[a] = open ? length / (conditions.FreeFlowKmh[a] * conditions.SpeedFactor[a]) * 60 : double.PositiveInfinity;
            _capacity[a] = conditions.CapacityVph[a];
            _capMinutes[a] = open ? conditions.MaxTravelHours(a) * 60 : double.PositiveInfinity;
            cost[a] = _freeFlowMinutes[a];
        }

        // Which nodes can reach each connector (known already when the same links are passable as last time), then the
        // demand of every connector from the nodes that can.
        var samePassable = SamePassableLinks(cost);
        if (!samePassable)
        {
            Sweep(cost, gatherOd: false);
        }
        var active = new bool[_components.Length];
        for (var c = 0; c < _components.Length; c++)
        {
            active[c] = scale[c] != 0;
        }
        // Into the same buffers every time: the 10,000-segment city has some 3 million entries, which, allocated anew for
        // every assignment, took a gigabyte per simulated hour and kept the collector busy.
        var count = 0;
        for (var r = 0; r < _roots.Length; r++)
        {
            AddRootDemand(r, scale, active);
            for (var n = 0; n < _acc.Length; n++)
            {
                if (_acc[n] > 0)
                {
                    if (count == _demandVolume.Length)
                    {
                        Array.Resize(ref _demandDestination, Math.Max(1024, 2 * count));
                        Array.Resize(ref _demandVolume, _demandDestination.Length);
                    }
                    _demandDestination[count] = n;
                    _demandVolume[count++] = _acc[n];
                }
                _acc[n] = 0;
            }
            _demandStart[r + 1] = count;
        }
        _reversed.SetDemand(_demandStart, _demandDestination, _demandVolume);

        var warm = fromScratch ? _startRoutes?.CopyFor(_roots) : _bushes;
        // With one component active, as at the last assignment, on the same passable links, every demand entry is its
        // rate times the component's scale: a change of scale scales them all alike, and the bushes can follow it.
        var drift = !fromScratch && samePassable && OnlyActive(active) is { } driven && OnlyActive(_lastActive) == driven && _lastScale[driven] > 0
            ? scale[driven] / _lastScale[driven]
            : (double?)null;
        var result = maxIterations is { } limit
            ? _solver.Solve(warm, limit, drift, cancellationToken)
            : _solver.Solve(warm, drift, cancellationToken);
        // The demand the bushes now carry, for the next drift.
        scale.CopyTo(_lastScale);
        active.CopyTo(_lastActive, 0);
        _bushes = result.Bushes;

        // Each active component's unit demand along the bushes, so flows follow its scale until the next assignment. With
        // one component active, that is the assignment's own flow per unit of its scale.
        var activeCount = active.Count(a => a);
        Span<double> unit = stackalloc double[_components.Length];
        for (var c = 0; c < _components.Length; c++)
        {
            if (fromScratch)
            {
                HasRoutes[c] = false;
            }
            if (!active[c])
            {
                continue;
            }
            if (activeCount == 1)
            {
                var perUnit = 1 / scale[c];
                for (var a = 0; a < total.Length; a++)
                {
                    Flow[c][a] = result.Flow[a] * perUnit;
                }
                HasRoutes[c] = true;
                continue;
            }
            Array.Clear(Flow[c]);
            unit.Clear();
            unit[c] = 1;
            var only = new bool[_components.Length];
            only[c] = true;
            for (var r = 0; r < _roots.Length; r++)
            {
                if (_bushes!.Has(r))
                {
                    AddRootDemand(r, unit, only);
                    _solver.Load(_bushes, r, _acc, Flow[c]);
                }
            }
            HasRoutes[c] = true;
        }
        TotalFlow(scale, total);
        conditions.ComputeCosts(total, cost);
        CombineOd();
        return (result.Iterations, result.RelativeGap, result.RelativeGap <= _solver.RequestedGap);
    }

    /// <summary>The one active component, or null when none or several are.</summary>
    private static int? OnlyActive(bool[] active)
    {
        int? only = null;
        for (var c = 0; c < active.Length; c++)
        {
            if (active[c])
            {
                if (only is not null)
                {
                    return null;
                }
                only = c;
            }
        }
        return only;
    }

    /// <summary>Whether the links of finite cost are those of the last reach sweep; records them when not.</summary>
    private bool SamePassableLinks(double[] cost)
    {
        var same = _reachKnown;
        for (var a = 0; a < cost.Length; a++)
        {
            var passable = !double.IsPositiveInfinity(cost[a]);
            same &= passable == _passable[a];
            _passable[a] = passable;
        }
        _reachKnown = true;
        return same;
    }

    /// <summary>Zone-to-zone times and reachability only, on the given link costs; no flows change.</summary>
    public void GatherTimes(double[] costMinutes) => Sweep(costMinutes, gatherOd: true);

    /// <summary>
    /// Trips per hour to root <paramref name="root"/> of the <paramref name="active"/> components at
    /// <paramref name="scale"/>, added to <see cref="_acc"/> by start node (reversed numbering), from nodes that reach it.
    /// </summary>
    private void AddRootDemand(int root, ReadOnlySpan<double> scale, bool[] active)
    {
        var rootNode = _roots[root];
        var reach = _reach[root];
        for (var m = _memberStart[root]; m < _memberStart[root + 1]; m++)
        {
            var zone = _memberZone[m];
            var rootWeight = _memberWeight[m];
            for (var c = 0; c < _components.Length; c++)
            {
                if (!active[c])
                {
                    continue;
                }
                var od = _components[c];
                for (var e = od.DestStart[zone]; e < od.DestStart[zone + 1]; e++)
                {
                    var origin = od.Origin[e];
                    var within = origin == zone;
                    var amount = od.Rate[e] * scale[c] * rootWeight * (within ? _zones.IntraNorm[zone] : 1);
                    if (amount == 0)
                    {
                        continue;
                    }
                    for (var k = _zones.OriginStart[origin]; k < _zones.OriginStart[origin + 1]; k++)
                    {
                        var node = _zones.OriginNode[k];
                        var index = _reversedIndex[node];
                        if ((within && node == rootNode) || !reach[index])
                        {
                            continue;
                        }
                        _acc[index] += amount * _zones.OriginWeight[k];
                    }
                }
            }
        }
    }

    /// <summary>
    /// A shortest-path tree to every root at <paramref name="costMinutes"/>: which nodes reach it or, with
    /// <paramref name="gatherOd"/>, the zone-to-zone times and reachability. Roots run in fixed chunks, summed in order.
    /// </summary>
    private void Sweep(double[] costMinutes, bool gatherOd)
    {
        void Run(int index)
        {
            var chunk = _chunks[index];
            if (gatherOd)
            {
                chunk.ClearOd();
            }
            var first = (int)((long)index * _roots.Length / _chunks.Length);
            var last = (int)((long)(index + 1) * _roots.Length / _chunks.Length);
            for (var r = first; r < last; r++)
            {
                if (gatherOd)
                {
                    chunk.Tree.Build(r, costMinutes);
                    GatherOd(chunk, r, chunk.Tree.Distance);
                }
                else
                {
                    // Reach is kept while the same links are passable: a search over them, no costs needed.
                    Reach(r, costMinutes, chunk.Queue);
                }
            }
        }

        var work = (long)_roots.Length * _network.LinkCount;
        if (_parallel.MaxDegreeOfParallelism == 1 || work < 50_000)
        {
            for (var i = 0; i < _chunks.Length; i++)
            {
                Run(i);
            }
        }
        else
        {
            Parallel.For(0, _chunks.Length, _parallel, Run);
        }
        if (gatherOd)
        {
            CombineOd();
        }
    }

    /// <summary>Marks in <see cref="_reach"/> the nodes that reach root <paramref name="root"/> over links of finite cost.</summary>
    private void Reach(int root, double[] costMinutes, int[] queue)
    {
        var net = _reversed;
        var reach = _reach[root];
        Array.Clear(reach);
        reach[root] = true;
        queue[0] = root;
        var count = 1;
        for (var head = 0; head < count; head++)
        {
            var u = queue[head];
            for (var e = net.OutStart[u]; e < net.OutStart[u + 1]; e++)
            {
                var a = net.OutLinks[e];
                var v = net.To[a];
                if (!reach[v] && !double.IsPositiveInfinity(costMinutes[a]))
                {
                    reach[v] = true;
                    queue[count++] = v;
                }
            }
        }
    }

    /// <summary>Buffers of one chunk of roots: the shortest-path tree and the zone-to-zone sums.</summary>
    private sealed class Chunk(EquilibriumNetwork reversed, int zones)
    {
        public readonly ShortestPathTree Tree = new(reversed);
        public readonly int[] Queue = new int[reversed.NodeCount];

        public void ClearOd()
        {
            Array.Clear(OdTime);
            Array.Clear(OdReach);
            Array.Clear(OdAll);
        }
        public readonly double[] OdTime = new double[zones * zones];
        public readonly double[] OdReach = new double[zones * zones];
        public readonly double[] OdAll = new double[zones * zones];
    }
}
