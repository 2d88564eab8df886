namespace IocTwin.Simulation;

/// <summary>
/// Static traffic assignment by Frank–Wolfe: all-or-nothing loadings on shortest-path trees, one tree per destination
/// connector node (reverse Dijkstra over a binary heap), combined with the current flows by an exact line search on the
/// Beckmann objective.
/// </summary>
/// <remarks>
/// Flows are kept per demand component and per unit of its scale, so a demand that only grows or shrinks keeps its
/// routes between updates. Trees are split into a fixed number of chunks, each with its own buffers, and chunk results
/// are added up in chunk order, so the result is the same bit for bit whatever the number of cores.
/// </remarks>
internal sealed class AssignmentEngine
{
    private const int ChunkCount = 8;
    private const int LineSearchSteps = 30;

    private readonly RoadNetwork _network;
    private readonly ZoneSet _zones;
    private readonly OdComponent[] _components;
    private readonly int[] _roots;
    private readonly int[] _memberStart;
    private readonly int[] _memberZone;
    private readonly double[] _memberWeight;
    private readonly int[] _inFrom;
    private readonly double[] _inCost;
    private readonly Chunk[] _chunks;
    private readonly ParallelOptions _parallel;
    private readonly Action<int> _runChunk;
    private readonly double[][] _loaded;
    private readonly bool[] _loadActive;
    private readonly bool[] _dropRoutes;
    private readonly double[] _direction;
    private readonly double[] _odAll;
    private bool _gatherOd;

    public AssignmentEngine(RoadNetwork network, ZoneSet zones, OdComponent[] components, int? maxDegreeOfParallelism)
    {
        _network = network;
        _zones = zones;
        _components = components;

        // A tree for every destination connector; a node may serve several zones.
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

        // Incoming links in CSR order with their tail nodes and costs side by side, for the reverse searches.
        _inFrom = new int[network.LinkCount];
        _inCost = new double[network.LinkCount];
        for (var k = 0; k < network.InLinks.Length; k++)
        {
            _inFrom[k] = network.LinkFromArray[network.InLinks[k]];
        }

        Flow = new double[components.Length][];
        _loaded = new double[components.Length][];
        for (var c = 0; c < components.Length; c++)
        {
            Flow[c] = new double[network.LinkCount];
            _loaded[c] = new double[network.LinkCount];
        }
        _direction = new double[network.LinkCount];
        Iterations = new int[components.Length];
        _loadActive = new bool[components.Length];
        _dropRoutes = new bool[components.Length];
        OdMinutes = new double[zones.Count * zones.Count];
        OdReachable = new double[zones.Count * zones.Count];
        _odAll = new double[zones.Count * zones.Count];
        _chunks = new Chunk[Math.Min(ChunkCount, Math.Max(1, _roots.Length))];
        for (var i = 0; i < _chunks.Length; i++)
        {
            _chunks[i] = new Chunk(network.NodeCount, network.LinkCount, components.Length, zones.Count);
        }
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
        _runChunk = RunChunk;
    }

    /// <summary>Link flows of each component per unit of its scale, in vehicles per hour.</summary>
    public double[][] Flow { get; }

    /// <summary>Iterations of each component since its routes were last found from scratch; 0 = no routes yet.</summary>
    public int[] Iterations { get; }

    /// <summary>Zone-to-zone shortest travel time in minutes (origin × zones + destination) at the last gathering; +∞ when unreachable.</summary>
    public double[] OdMinutes { get; }

    /// <summary>Share of each zone pair's trips (by node weights) that has a route at the last gathering.</summary>
    public double[] OdReachable { get; }

    /// <summary>Relative gap of the last iteration: how far the flows are from user equilibrium (0 = there).</summary>
    public double LastGap { get; private set; }

    /// <summary>Sum of the components' flows at the given scales into <paramref name="total"/>.</summary>
    public void TotalFlow(ReadOnlySpan<double> scale, double[] total)
    {
        Array.Clear(total);
        for (var c = 0; c < _components.Length; c++)
        {
            var s = scale[c];
            if (s == 0 || Iterations[c] == 0)
            {
                continue;
            }
            var flow = Flow[c];
            for (var a = 0; a < total.Length; a++)
            {
                total[a] += s * flow[a];
            }
        }
    }

    /// <summary>
    /// After links close or open (<paramref name="before"/> → <paramref name="after"/>), drops the routes of every
    /// component whose flows no longer fit: those sending traffic over a link just closed, and, when a link opens,
    /// those with trips that had no route (they may have one now). Their next equilibrium starts from scratch; the
    /// other components carry on from their current routes.
    /// </summary>
    public void DropInfeasibleRoutes(bool[] before, bool[] after)
    {
        var opened = false;
        for (var a = 0; a < before.Length; a++)
        {
            if (before[a] == after[a])
            {
                continue;
            }
            if (after[a])
            {
                opened = true;
                continue;
            }
            for (var c = 0; c < _components.Length; c++)
            {
                _dropRoutes[c] |= Iterations[c] > 0 && Flow[c][a] != 0;
            }
        }
        if (!opened)
        {
            return;
        }
        var zones = _zones.Count;
        for (var c = 0; c < _components.Length; c++)
        {
            var od = _components[c];
            for (var d = 0; d < zones && !_dropRoutes[c]; d++)
            {
                for (var e = od.DestStart[d]; e < od.DestStart[d + 1]; e++)
                {
                    if (OdReachable[od.Origin[e] * zones + d] < 1)
                    {
                        _dropRoutes[c] = true;
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Up to <paramref name="iterations"/> Frank–Wolfe iterations for the components with a non-zero scale, stopping
    /// early below <paramref name="gapTolerance"/>. A component with no routes (never loaded, dropped by
    /// <see cref="DropInfeasibleRoutes"/>, or all of them when <paramref name="fromScratch"/>) first takes its
    /// all-or-nothing loading whole, on the travel times of the current flows. The last iteration's trees give the
    /// zone-to-zone times.
    /// </summary>
    /// <returns>
    /// The all-or-nothing sweeps run, the relative gap last measured (NaN when the last sweep only loaded new routes)
    /// and whether the gap fell below the tolerance, which ends the iterations before the step.
    /// </returns>
    public (int Iterations, double Gap, bool Converged) Equilibrate(LinkConditions conditions, ReadOnlySpan<double> scale, int iterations,
        bool fromScratch, double gapTolerance, double[] total, double[] cost)
    {
        TotalFlow(scale, total);
        conditions.ComputeCosts(total, cost);
        for (var c = 0; c < _components.Length; c++)
        {
            if (fromScratch || _dropRoutes[c])
            {
                Iterations[c] = 0;
            }
            _dropRoutes[c] = false;
        }
        var sweeps = 0;
        for (var it = 0; it < iterations; it++)
        {
            sweeps++;
            if (it > 0)
            {
                TotalFlow(scale, total);
                conditions.ComputeCosts(total, cost);
            }
            var fresh = false;
            for (var c = 0; c < _components.Length; c++)
            {
                _loadActive[c] = scale[c] != 0;
                fresh |= _loadActive[c] && Iterations[c] == 0;
            }
            AllOrNothing(cost, gatherOd: true);

            if (fresh)
            {
                // New routes: take the loading whole for the components that had none.
                for (var c = 0; c < _components.Length; c++)
                {
                    if (_loadActive[c] && Iterations[c] == 0)
                    {
                        _loaded[c].CopyTo(Flow[c], 0);
                        Iterations[c] = 1;
                    }
                }
                LastGap = double.NaN;
                continue;
            }

            // Direction towards the all-or-nothing flows, the gap, and the best step along the direction.
            Array.Clear(_direction);
            for (var c = 0; c < _components.Length; c++)
            {
                if (!_loadActive[c])
                {
                    continue;
                }
                var s = scale[c];
                var flow = Flow[c];
                var loaded = _loaded[c];
                for (var a = 0; a < _direction.Length; a++)
                {
                    _direction[a] += s * (loaded[a] - flow[a]);
                }
            }
            double current = 0, shortest = 0;
            for (var a = 0; a < _direction.Length; a++)
            {
                if (total[a] != 0 || _direction[a] != 0)
                {
                    current += total[a] * cost[a];
                    shortest += (total[a] + _direction[a]) * cost[a];
                }
            }
            LastGap = current > 0 ? (current - shortest) / current : 0;
            if (LastGap < gapTolerance)
            {
                return (sweeps, LastGap, true);
            }
            var step = LineSearch(conditions, total);
            for (var c = 0; c < _components.Length; c++)
            {
                if (!_loadActive[c])
                {
                    continue;
                }
                var flow = Flow[c];
                var loaded = _loaded[c];
                for (var a = 0; a < flow.Length; a++)
                {
                    flow[a] += step * (loaded[a] - flow[a]);
                }
                Iterations[c]++;
            }
        }
        return (sweeps, sweeps == 0 ? double.NaN : LastGap, false);
    }

    /// <summary>Zone-to-zone times and reachability only, on the given link costs; no flows change.</summary>
    public void GatherTimes(double[] costMinutes)
    {
        Array.Clear(_loadActive);
        AllOrNothing(costMinutes, gatherOd: true);
    }

    /// <summary>The step λ in [0, 1] minimizing the Beckmann objective along the direction: Σ d·t(x + λd) = 0, by bisection.</summary>
    private double LineSearch(LinkConditions conditions, double[] total)
    {
        double Slope(double lambda)
        {
            double slope = 0;
            for (var a = 0; a < _direction.Length; a++)
            {
                var d = _direction[a];
                if (d != 0 && conditions.Available[a])
                {
                    slope += d * conditions.TravelHours(a, total[a] + lambda * d);
                }
            }
            return slope;
        }

        return StepSearch.Bisect(Slope, LineSearchSteps);
    }

    /// <summary>Loads each active component on shortest paths at <paramref name="costMinutes"/> into <see cref="_loaded"/>.</summary>
    private void AllOrNothing(double[] costMinutes, bool gatherOd)
    {
        var inLinks = _network.InLinks;
        for (var k = 0; k < inLinks.Length; k++)
        {
            _inCost[k] = costMinutes[inLinks[k]];
        }
        _gatherOd = gatherOd;
        // Small networks route faster on one thread than it takes to hand the chunks out.
        var work = (long)_roots.Length * _network.LinkCount;
        if (_parallel.MaxDegreeOfParallelism == 1 || work < 50_000)
        {
            for (var i = 0; i < _chunks.Length; i++)
            {
                RunChunk(i);
            }
        }
        else
        {
            Parallel.For(0, _chunks.Length, _parallel, _runChunk);
        }

        // Add the chunks up in a fixed order.
        for (var c = 0; c < _components.Length; c++)
        {
            if (!_loadActive[c])
            {
                continue;
            }
            var loaded = _loaded[c];
            Array.Clear(loaded);
            foreach (var chunk in _chunks)
            {
                var part = chunk.Loaded[c];
                for (var a = 0; a < loaded.Length; a++)
                {
                    loaded[a] += part[a];
                }
            }
        }
        if (gatherOd)
        {
            Array.Clear(OdMinutes);
            Array.Clear(OdReachable);
            Array.Clear(_odAll);
            foreach (var chunk in _chunks)
            {
                for (var p = 0; p < OdMinutes.Length; p++)
                {
                    OdMinutes[p] += chunk.OdTime[p];
                    OdReachable[p] += chunk.OdReach[p];
                    _odAll[p] += chunk.OdAll[p];
                }
            }
            for (var p = 0; p < OdMinutes.Length; p++)
            {
                // Shares of the same sums: a pair with every route open is reachable exactly.
                var reach = OdReachable[p];
                var all = _odAll[p];
                OdMinutes[p] = reach > 0 ? OdMinutes[p] / reach : double.PositiveInfinity;
                OdReachable[p] = reach == all ? (all > 0 ? 1 : 0) : reach / all;
            }
        }
    }

    private void RunChunk(int index)
    {
        var chunk = _chunks[index];
        for (var c = 0; c < _components.Length; c++)
        {
            if (_loadActive[c])
            {
                Array.Clear(chunk.Loaded[c]);
            }
        }
        if (_gatherOd)
        {
            Array.Clear(chunk.OdTime);
            Array.Clear(chunk.OdReach);
            Array.Clear(chunk.OdAll);
        }
        var first = (int)((long)index * _roots.Length / _chunks.Length);
        var last = (int)((long)(index + 1) * _roots.Length / _chunks.Length);
        for (var t = first; t < last; t++)
        {
            chunk.Dijkstra(_network.InStart, _network.InLinks, _inFrom, _inCost, _roots[t]);
            for (var c = 0; c < _components.Length; c++)
            {
                if (_loadActive[c])
                {
                    Load(chunk, t, c);
                }
            }
            if (_gatherOd)
            {
                GatherOd(chunk, t);
            }
        }
    }

    private void Load(Chunk chunk, int tree, int component)
    {
        var od = _components[component];
        var root = _roots[tree];
        var dist = chunk.Dist;
        var acc = chunk.Acc;
        var any = false;
        for (var m = _memberStart[tree]; m < _memberStart[tree + 1]; m++)
        {
            var zone = _memberZone[m];
            var rootWeight = _memberWeight[m];
            for (var e = od.DestStart[zone]; e < od.DestStart[zone + 1]; e++)
            {
                var origin = od.Origin[e];
                var amount = od.Rate[e] * rootWeight;
                var within = origin == zone;
                if (within)
                {
                    amount *= _zones.IntraNorm[zone];
                    if (amount == 0)
                    {
                        continue;
                    }
                }
                for (var k = _zones.OriginStart[origin]; k < _zones.OriginStart[origin + 1]; k++)
                {
                    var node = _zones.OriginNode[k];
                    if ((within && node == root) || dist[node] == double.PositiveInfinity)
                    {
                        continue;
                    }
                    acc[node] += amount * _zones.OriginWeight[k];
                    any = true;
                }
            }
        }
        if (!any)
        {
            return;
        }

        // Push the trips down the tree, farthest nodes first.
        var loaded = chunk.Loaded[component];
        var order = chunk.Order;
        var next = chunk.Next;
        var to = _network.LinkToArray;
        for (var i = chunk.Settled - 1; i >= 1; i--)
        {
            var node = order[i];
            var trips = acc[node];
            if (trips == 0)
            {
                continue;
            }
            acc[node] = 0;
            var link = next[node];
            loaded[link] += trips;
            acc[to[link]] += trips;
        }
        acc[root] = 0;
    }

    private void GatherOd(Chunk chunk, int tree)
    {
        var root = _roots[tree];
        var zones = _zones.Count;
        var dist = chunk.Dist;
        for (var m = _memberStart[tree]; m < _memberStart[tree + 1]; m++)
        {
            var zone = _memberZone[m];
            var rootWeight = _memberWeight[m];
            for (var origin = 0; origin < zones; origin++)
            {
                var within = origin == zone;
                var norm = within ? _zones.IntraNorm[zone] : 1;
                if (norm == 0)
                {
                    continue;
                }
                double time = 0, reach = 0, all = 0;
                for (var k = _zones.OriginStart[origin]; k < _zones.OriginStart[origin + 1]; k++)
                {
                    var node = _zones.OriginNode[k];
                    if (within && node == root)
                    {
                        continue;
                    }
                    var w = _zones.OriginWeight[k];
                    all += w;
                    var d = dist[node];
                    if (d != double.PositiveInfinity)
                    {
                        time += w * d;
                        reach += w;
                    }
                }
                var pair = origin * zones + zone;
                chunk.OdTime[pair] += rootWeight * norm * time;
                chunk.OdReach[pair] += rootWeight * norm * reach;
                chunk.OdAll[pair] += rootWeight * norm * all;
            }
        }
    }

    /// <summary>Buffers of one chunk of trees: Dijkstra state, loadings per component, zone-to-zone sums.</summary>
    private sealed class Chunk
    {
        public readonly double[] Dist;
        public readonly int[] Next;
        public readonly int[] Order;
        public readonly double[] Acc;
        public readonly double[][] Loaded;
        public readonly double[] OdTime;
        public readonly double[] OdReach;
        public readonly double[] OdAll;
        public int Settled;
        private readonly double[] _heapKey;
        private readonly int[] _heapNode;
        private readonly int[] _position;
        private int _heapSize;

        public Chunk(int nodes, int links, int components, int zones)
        {
            Dist = new double[nodes];
            Next = new int[nodes];
            Order = new int[nodes];
            Acc = new double[nodes];
            _heapKey = new double[nodes];
            _heapNode = new int[nodes];
            _position = new int[nodes];
            Loaded = new double[components][];
            for (var c = 0; c < components; c++)
            {
                Loaded[c] = new double[links];
            }
            OdTime = new double[zones * zones];
            OdReach = new double[zones * zones];
            OdAll = new double[zones * zones];
        }

        /// <summary>
        /// Shortest times from every node to <paramref name="root"/> over links of finite cost, and the first link of
        /// each path. <paramref name="inFrom"/> and <paramref name="inCost"/> are in the order of <paramref name="inLinks"/>.
        /// </summary>
        public void Dijkstra(int[] inStart, int[] inLinks, int[] inFrom, double[] inCost, int root)
        {
            Array.Fill(Dist, double.PositiveInfinity);
            Array.Fill(_position, -1);
            _heapSize = 0;
            Settled = 0;
            Dist[root] = 0;
            Next[root] = -1;
            Push(root, 0);
            while (_heapSize > 0)
            {
                var u = PopMin();
                Order[Settled++] = u;
                var du = Dist[u];
                var end = inStart[u + 1];
                for (var k = inStart[u]; k < end; k++)
                {
                    var candidate = du + inCost[k];
                    var v = inFrom[k];
                    if (candidate < Dist[v])
                    {
                        Dist[v] = candidate;
                        Next[v] = inLinks[k];
                        var position = _position[v];
                        if (position == -1)
                        {
                            Push(v, candidate);
                        }
                        else
                        {
                            SiftUp(position, v, candidate);
                        }
                    }
                }
            }
        }

        private void Push(int node, double key) => SiftUp(_heapSize++, node, key);

        private int PopMin()
        {
            var top = _heapNode[0];
            _position[top] = -2; // settled
            var size = --_heapSize;
            if (size > 0)
            {
                SiftDown(_heapNode[size], _heapKey[size], size);
            }
            return top;
        }

        private void SiftUp(int i, int node, double key)
        {
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                var parentKey = _heapKey[parent];
                if (parentKey <= key)
                {
                    break;
                }
                var parentNode = _heapNode[parent];
                _heapKey[i] = parentKey;
                _heapNode[i] = parentNode;
                _position[parentNode] = i;
                i = parent;
            }
            _heapKey[i] = key;
            _heapNode[i] = node;
            _position[node] = i;
        }

        /// <summary>Places <paramref name="node"/> from the top down in a heap of <paramref name="size"/> entries.</summary>
        private void SiftDown(int node, double key, int size)
        {
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= size)
                {
                    break;
                }
                var childKey = _heapKey[child];
                if (child + 1 < size && _heapKey[child + 1] < childKey)
                {
                    child++;
                    childKey = _heapKey[child];
                }
                if (childKey >= key)
                {
                    break;
                }
                var childNode = _heapNode[child];
                _heapKey[i] = childKey;
                _heapNode[i] = childNode;
                _position[childNode] = i;
                i = child;
            }
            _heapKey[i] = key;
            _heapNode[i] = node;
            _position[node] = i;
        }
    }
}
