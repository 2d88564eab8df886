namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: the bush of an origin — what it drops and gains, its topological order and its path labels.
public sealed partial class AlgorithmB
{
    /// <summary>
    /// Drops the links the origin does not use (keeping its shortest-path tree within the bush), then adds every link
    /// (i, j) with U_i + t_ij &lt; U_j, U being the longest path cost within the bush. Bush links all satisfy
    /// U_j ≥ U_i + t_ij, so links added with the strict inequality keep the bush acyclic.
    /// </summary>
    private void ImproveBush(int origin)
    {
        var inBush = _inBush[origin]!;
        var links = _bushLinks[origin]!;
        UseOrder(origin);
        // One pass finds the shortest paths, drops the unused links off them and takes the longest paths over the rest.
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
        // A link is worth adding only when it saves more than the tolerance of the flow shifts: one that saves less gets no
        // flow, leaves again at the next visit and costs the bush a new topological order each time.
        var added = AddShortcuts(origin);
        if (added)
        {
            // The sort labels the shortest paths over the grown bush as it goes.
            TopologicalOrder(origin, shortestLabels: true);
        }
    }

    /// <summary>
    /// Adds to the bush every link (i, j) between bush nodes with <c>U_i + t_ij &lt; U_j</c> by more than the shift
    /// tolerance, U being the longest path cost. When no link shortens a longest path, a shorter path may still exist
    /// outside the bush: then the links with <c>L_i + t_ij &lt; L_j</c> (L the shortest path cost) that run forward in
    /// the bush's topological order are added, which cannot close a cycle either. Both kinds are found in one pass over
    /// the out-links of the bush's nodes (candidates leave a bush node), not over every link of the network.
    /// </summary>
    private bool AddShortcuts(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var links = _bushLinks[origin]!;
        var outLinks = net.OutLinks;
        var to = net.To;
        var tolerance = ShiftTolerance * _options.RelativeGap;
        var added = false;
        _forward.Clear();
        for (var k = 0; k < _orderCount; k++)
        {
            var i = _order[k];
            if (!net.PassesThrough(i, origin))
            {
                continue;
            }
            for (int e = net.OutStart[i], end = net.OutStart[i + 1]; e < end; e++)
            {
                var a = outLinks[e];
                var j = to[a];
                if (inBush[a] || _position[j] < 0)
                {
                    continue;
                }
                if (_max[i] + _cost[a] < _max[j] - tolerance * _min[j])
                {
                    inBush[a] = true;
                    links.Add(a);
                    added = true;
                }
                else if (!added && k < _position[j] && _min[i] + _cost[a] < _min[j] - tolerance * _min[j])
                {
                    _forward.Add(a);
                }
            }
        }
        if (added)
        {
            return true;
        }
        foreach (var a in _forward)
        {
            inBush[a] = true;
            links.Add(a);
        }
        return _forward.Count > 0;
    }

    /// <summary>The origin's kept topological order (sorting the bush again when it has none) and each node's position in it.</summary>
    private void UseOrder(int origin)
    {
        if (_orders[origin] is not { } order)
        {
            TopologicalOrder(origin);
            return;
        }
        _order = order;
        _orderCount = _orderCounts[origin];
        Array.Fill(_position, -1);
        for (var k = 0; k < _orderCount; k++)
        {
            _position[order[k]] = k;
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
    private void TopologicalOrder(int origin, bool shortestLabels = false)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        _order = _orders[origin] ??= new int[net.NodeCount];
        // In-degrees are all 0 between sorts: a sort that reaches every bush link counts each node's back down to 0.
        var links = _bushLinks[origin]!;
        foreach (var a in links)
        {
            _indegree[net.To[a]]++;
        }
        var bushLinks = links.Count;
        Array.Fill(_position, -1);
        _orderCount = 0;
        _order[_orderCount++] = origin;
        var visited = 0;
        try
        {
            if (shortestLabels)
            {
                _min[origin] = 0;
                _minPred[origin] = -1;
            }
            for (var head = 0; head < _orderCount; head++)
            {
                var u = _order[head];
                _position[u] = head;
                if (shortestLabels && head > 0)
                {
                    (_min[u], _minPred[u]) = ShortestLabel(u, inBush, _min);
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
                        _order[_orderCount++] = net.To[a];
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
        _orderCounts[origin] = _orderCount;
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
        var net = _net;
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
        var inLinks = net.InLinks;
        var from = net.From;
        _min[origin] = 0;
        _max[origin] = 0;
        _minPred[origin] = -1;
        _maxPred[origin] = -1;
        _usedMax[origin] = 0;
        _usedMaxPred[origin] = -1;
        for (var k = 1; k < _orderCount; k++)
        {
            var j = _order[k];
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
                var cost = _cost[a];
                if (_min[i] + cost < min)
                {
                    min = _min[i] + cost;
                    minPred = a;
                    minEdge = e;
                }
                if (bush[a] <= 0)
                {
                    // Unused: leaves the bush, taken back below if it ends the shortest path.
                    inBush[a] = false;
                    continue;
                }
                if (_max[i] + cost > max)
                {
                    max = _max[i] + cost;
                    maxPred = a;
                    maxEdge = e;
                }
                if (_usedMax[i] + cost > usedMax)
                {
                    usedMax = _usedMax[i] + cost;
                    usedMaxPred = a;
                }
            }
            if (minPred >= 0 && !inBush[minPred])
            {
                inBush[minPred] = true;
                var c = _max[from[minPred]] + _cost[minPred];
                if (c > max || (c == max && minEdge < maxEdge))
                {
                    max = c;
                    maxPred = minPred;
                }
            }
            _usedMax[j] = usedMax;
            _usedMaxPred[j] = usedMaxPred;
            _min[j] = min;
            _minPred[j] = minPred;
            _max[j] = max;
            _maxPred[j] = maxPred;
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
