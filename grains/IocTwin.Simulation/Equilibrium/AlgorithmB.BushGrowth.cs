namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: the bush of an origin — what it drops and gains, its topological order and its path labels.
public sealed partial class AlgorithmB
{
    /// <summary>
    /// A visit to one origin's bush: its order, path labels and last links, with the scratch they take, and what is
    /// done with them (the bush improved, then its flows shifted).
    /// </summary>
    private sealed partial class BushVisit(AlgorithmB solver, int nodes)
    {
        private readonly AlgorithmB _s = solver;
        private readonly int[] _indegree = new int[nodes];
        private readonly List<int> _shortcuts = [];
        private readonly List<int> _forward = [];
        private readonly List<int> _later = [];

        /// <summary>The bush's nodes in topological order from the origin (the first <see cref="OrderCount"/>).</summary>
        public int[] Order { get; private set; } = [];

        public int OrderCount { get; private set; }

        /// <summary>Each node's place in <see cref="Order"/>, or -1 off the bush.</summary>
        public int[] Position { get; } = new int[nodes];

        public double[] Min { get; } = new double[nodes];

        public int[] MinPred { get; } = new int[nodes];

        public double[] Max { get; private set; } = new double[nodes];

        public int[] MaxPred { get; private set; } = new int[nodes];

        public double[] UsedMax { get; private set; } = new double[nodes];

        public int[] UsedMaxPred { get; private set; } = new int[nodes];

        /// <summary>What <see cref="WarmUp(int)"/> read, kept so that the reads are not left out.</summary>
        public double WarmSum { get; private set; }

        /// <summary>
        /// Reads the origin's bush once in address order before the visit: the hardware prefetcher streams it into the
        /// cache, where the visit's scattered reads then find it. A city's bushes together outgrow the cache (400 bushes
        /// of 20,000 links take some 70 MB), so without it nearly every link a visit reads waits on memory.
        /// </summary>
        public void WarmUp(int origin) => WarmSum += AlgorithmB.WarmUp(_s._bushFlow[origin]!, _s._inBush[origin]!);

        /// <summary>
        /// Drops the links the origin does not use (keeping its shortest-path tree within the bush), then adds every link
        /// (i, j) with U_i + t_ij &lt; U_j, U being the longest path cost within the bush. Bush links all satisfy
        /// U_j ≥ U_i + t_ij, so links added with the strict inequality keep the bush acyclic.
        /// </summary>
        public void Improve(int origin)
        {
            var inBush = _s._inBush[origin]!;
            var links = _s._bushLinks[origin]!;
            UseOrder(origin);
            // One pass finds the shortest paths, drops the unused links off them, takes the longest paths over the rest
            // and finds the links worth adding.
            BushLabels(origin);
            var kept = 0;
            for (var n = 0; n < links.Count; n++)
            {
                var a = links[n];
                if (inBush[a])
                {
                    links[kept++] = a;
                }
            }
            links.RemoveRange(kept, links.Count - kept);
            var grown = _shortcuts.Count > 0 ? _shortcuts : _forward;
            foreach (var a in grown)
            {
                inBush[a] = true;
                links.Add(a);
            }
            if (grown.Count > 0)
            {
                // The sort labels the shortest paths over the grown bush as it goes.
                TopologicalOrder(origin, shortestLabels: true);
            }
        }

        /// <summary>
        /// Whether link <paramref name="a"/> from <paramref name="i"/> to <paramref name="j"/>, off the bush, is worth
        /// adding, with the labels of both ends final: when <c>U_i + t_ij &lt; U_j</c> by more than the shift tolerance,
        /// U being the longest path cost (into <see cref="_shortcuts"/>). When no link shortens a longest path, a shorter
        /// path may still exist outside the bush: then the links with <c>L_i + t_ij &lt; L_j</c> (L the shortest path
        /// cost) that run forward in the bush's topological order are added (<see cref="_forward"/>), which cannot close a
        /// cycle either. A link that saves less than the tolerance would get no flow, leave again at the next visit and
        /// cost the bush a new topological order each time.
        /// </summary>
        private void ConsiderShortcut(int origin, int a, int i, int j, double tolerance)
        {
            if (!_s._net.PassesThrough(i, origin))
            {
                return;
            }
            var cost = _s._cost[a];
            if (Max[i] + cost < Max[j] - tolerance * Min[j])
            {
                _shortcuts.Add(a);
            }
            else if (_shortcuts.Count == 0 && Position[i] < Position[j] && Min[i] + cost < Min[j] - tolerance * Min[j])
            {
                _forward.Add(a);
            }
        }

        /// <summary>The origin's kept topological order (sorting the bush again when it has none) and each node's position in it.</summary>
        public void UseOrder(int origin)
        {
            if (_s._orders[origin] is not { } order)
            {
                TopologicalOrder(origin);
                return;
            }
            Order = order;
            OrderCount = _s._orderCounts[origin];
            Array.Fill(Position, -1);
            for (var k = 0; k < OrderCount; k++)
            {
                Position[order[k]] = k;
            }
        }

        /// <summary>
        /// The bush's nodes in topological order from the origin (Kahn's algorithm), kept for the origin; each node's
        /// position in it, or -1.
        /// </summary>
        /// <remarks>
        /// With <paramref name="shortestLabels"/>, each node's shortest path cost and last link are worked out as it is
        /// taken, as <see cref="ShortestLabels"/> would: every bush link into it leaves a node taken before.
        /// </remarks>
        public void TopologicalOrder(int origin, bool shortestLabels = false)
        {
            var net = _s._net;
            var inBush = _s._inBush[origin]!;
            Order = _s._orders[origin] ??= new int[net.NodeCount];
            // In-degrees are all 0 between sorts: a sort that reaches every bush link counts each node's back down to 0.
            var links = _s._bushLinks[origin]!;
            foreach (var a in links)
            {
                _indegree[net.To[a]]++;
            }
            var bushLinks = links.Count;
            Array.Fill(Position, -1);
            OrderCount = 0;
            Order[OrderCount++] = origin;
            var visited = 0;
            try
            {
                if (shortestLabels)
                {
                    Min[origin] = 0;
                    MinPred[origin] = -1;
                }
                for (var head = 0; head < OrderCount; head++)
                {
                    var u = Order[head];
                    Position[u] = head;
                    if (shortestLabels && head > 0)
                    {
                        (Min[u], MinPred[u]) = _s.ShortestLabel(u, inBush, Min);
                    }
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
                            Order[OrderCount++] = net.To[a];
                        }
                    }
                }
                if (visited != bushLinks)
                {
                    throw new InvalidOperationException($"The bush of zone {origin + 1} has a cycle or a link not reachable from the zone");
                }
            }
            catch
            {
                // A sort cut short leaves counts behind: cleared, so the next sort starts from 0 as it must.
                Array.Clear(_indegree);
                throw;
            }
            _s._orderCounts[origin] = OrderCount;
        }

        /// <summary>
        /// One pass over the bush in topological order from the origin: the shortest (min) and longest (max) path costs,
        /// and the longest over the links the origin uses (used max), each with its last link. Links the origin does not
        /// use leave the bush as they are passed, unless they end a shortest path: every node keeps the last link of its
        /// shortest path, so it stays reached and the order stays topological, and the longest paths are those of the bush
        /// that is left. Ties go to the first in-link, as in <see cref="ShortestLabels"/>.
        /// </summary>
        private void BushLabels(int origin)
        {
            var net = _s._net;
            var inBush = _s._inBush[origin]!;
            var bush = _s._bushFlow[origin]!;
            var inLinks = net.InLinks;
            var from = net.From;
            Min[origin] = 0;
            Max[origin] = 0;
            MinPred[origin] = -1;
            MaxPred[origin] = -1;
            UsedMax[origin] = 0;
            UsedMaxPred[origin] = -1;
            var tolerance = ShiftTolerance * _s._options.RelativeGap;
            _shortcuts.Clear();
            _forward.Clear();
            _later.Clear();
            for (var k = 1; k < OrderCount; k++)
            {
                var j = Order[k];
                double min = double.PositiveInfinity, max = double.NegativeInfinity, usedMax = double.NegativeInfinity;
                int minPred = -1, minEdge = -1, maxPred = -1, maxEdge = -1, usedMaxPred = -1;
                for (int e = net.InStart[j], end = net.InStart[j + 1]; e < end; e++)
                {
                    var a = inLinks[e];
                    if (!inBush[a])
                    {
                        continue;
                    }
                    var i = from[a];
                    var cost = _s._cost[a];
                    if (Min[i] + cost < min)
                    {
                        min = Min[i] + cost;
                        minPred = a;
                        minEdge = e;
                    }
                    if (bush[a] <= 0)
                    {
                        // Unused: leaves the bush, taken back below if it ends the shortest path.
                        inBush[a] = false;
                        continue;
                    }
                    if (Max[i] + cost > max)
                    {
                        max = Max[i] + cost;
                        maxPred = a;
                        maxEdge = e;
                    }
                    if (UsedMax[i] + cost > usedMax)
                    {
                        usedMax = UsedMax[i] + cost;
                        usedMaxPred = a;
                    }
                }
                if (minPred >= 0 && !inBush[minPred])
                {
                    inBush[minPred] = true;
                    var c = Max[from[minPred]] + _s._cost[minPred];
                    if (c > max || (c == max && minEdge < maxEdge))
                    {
                        max = c;
                        maxPred = minPred;
                    }
                }
                UsedMax[j] = usedMax;
                UsedMaxPred[j] = usedMaxPred;
                Min[j] = min;
                MinPred[j] = minPred;
                Max[j] = max;
                MaxPred[j] = maxPred;
                // Links into the node off the bush (dropped just now or never in it) from a bush node: from a node labelled
                // already, looked at now; from one after it in the order, once that one is labelled too.
                for (int e = net.InStart[j], end = net.InStart[j + 1]; e < end; e++)
                {
                    var a = inLinks[e];
                    if (inBush[a] || Position[from[a]] < 0)
                    {
                        continue;
                    }
                    if (Position[from[a]] < k)
                    {
                        ConsiderShortcut(origin, a, from[a], j, tolerance);
                    }
                    else
                    {
                        _later.Add(a);
                    }
                }
            }
            foreach (var a in _later)
            {
                ConsiderShortcut(origin, a, from[a], net.To[a], tolerance);
            }
            if (_shortcuts.Count > 0)
            {
                _forward.Clear();
            }
        }
    }

    /// <summary>
    /// Shortest path costs from the origin within the bush, over its nodes in <paramref name="order"/> (topological), with
    /// the last link of each, into the arrays given.
    /// </summary>
    private void ShortestLabels(int origin, int[] order, int count, double[] min, int[] minPred)
    {
        var inBush = _inBush[origin]!;
        min[origin] = 0;
        minPred[origin] = -1;
        for (var k = 1; k < count; k++)
        {
            var j = order[k];
            (min[j], minPred[j]) = ShortestLabel(j, inBush, min);
        }
    }

    /// <summary>
    /// The shortest path cost to <paramref name="j"/> within the bush and its last link (the first in-link on a tie),
    /// from the labels of the nodes before it.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private (double Min, int Pred) ShortestLabel(int j, bool[] inBush, double[] min)
    {
        var net = _net;
        var best = double.PositiveInfinity;
        var pred = -1;
        for (int e = net.InStart[j], end = net.InStart[j + 1]; e < end; e++)
        {
            var a = net.InLinks[e];
            if (inBush[a] && min[net.From[a]] + _cost[a] < best)
            {
                best = min[net.From[a]] + _cost[a];
                pred = a;
            }
        }
        return (best, pred);
    }
}
