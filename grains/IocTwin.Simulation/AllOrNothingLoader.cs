namespace IocTwin.Simulation;

/// <summary>
/// All-or-nothing loading for <see cref="AssignmentEngine"/>: every zone-to-zone trip of each demand component on its
/// shortest path at given link costs, one tree per destination connector node, and the zone-to-zone times and
/// reachability those trees give.
/// </summary>
/// <remarks>
/// Trees are split into a fixed number of chunks, each with its own buffers, and chunk results are added up in chunk
/// order, so the result is the same bit for bit whatever the number of cores.
/// </remarks>
internal sealed class AllOrNothingLoader
{
    private const int ChunkCount = 8;

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
    private readonly double[] _odAll;
    private bool[] _active = [];
    private bool _gatherOd;

    public AllOrNothingLoader(RoadNetwork network, ZoneSet zones, OdComponent[] components, int? maxDegreeOfParallelism)
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

        Loaded = new double[components.Length][];
        for (var c = 0; c < components.Length; c++)
        {
            Loaded[c] = new double[network.LinkCount];
        }
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

    /// <summary>Link flows of each component's all-or-nothing loading at its unit scale, from the last <see cref="Load"/>.</summary>
    public double[][] Loaded { get; }

    /// <summary>Zone-to-zone shortest travel time in minutes (origin × zones + destination) at the last gathering; +∞ when unreachable.</summary>
    public double[] OdMinutes { get; }

    /// <summary>Share of each zone pair's trips (by node weights) that has a route at the last gathering.</summary>
    public double[] OdReachable { get; }

    /// <summary>
    /// Loads each component marked in <paramref name="active"/> on shortest paths at <paramref name="costMinutes"/> into
    /// <see cref="Loaded"/>, and with <paramref name="gatherOd"/> the zone-to-zone times and reachability.
    /// </summary>
    public void Load(double[] costMinutes, bool[] active, bool gatherOd)
    {
        _active = active;
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
            if (!_active[c])
            {
                continue;
            }
            var loaded = Loaded[c];
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
            if (_active[c])
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
            chunk.Tree.Dijkstra(_network.InStart, _network.InLinks, _inFrom, _inCost, _roots[t]);
            for (var c = 0; c < _components.Length; c++)
            {
                if (_active[c])
                {
                    LoadTree(chunk, t, c);
                }
            }
            if (_gatherOd)
            {
                GatherOd(chunk, t);
            }
        }
    }

    private void LoadTree(Chunk chunk, int tree, int component)
    {
        var od = _components[component];
        var root = _roots[tree];
        var dist = chunk.Tree.Dist;
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
        var order = chunk.Tree.Order;
        var next = chunk.Tree.Next;
        var to = _network.LinkToArray;
        for (var i = chunk.Tree.Settled - 1; i >= 1; i--)
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
        var dist = chunk.Tree.Dist;
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

    /// <summary>Buffers of one chunk of trees: the shortest-path tree, loadings per component, zone-to-zone sums.</summary>
    private sealed class Chunk
    {
        public readonly ReverseShortestPaths Tree;
        public readonly double[] Acc;
        public readonly double[][] Loaded;
        public readonly double[] OdTime;
        public readonly double[] OdReach;
        public readonly double[] OdAll;

        public Chunk(int nodes, int links, int components, int zones)
        {
            Tree = new ReverseShortestPaths(nodes);
            Acc = new double[nodes];
            Loaded = new double[components][];
            for (var c = 0; c < components; c++)
            {
                Loaded[c] = new double[links];
            }
            OdTime = new double[zones * zones];
            OdReach = new double[zones * zones];
            OdAll = new double[zones * zones];
        }
    }
}
