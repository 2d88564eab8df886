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
        Labels(origin, usedOnly: false, dropUnused: true, alsoUsed: true);
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
        var added = AddShortcuts(origin, longest: true);
        if (!added)
        {
            // No link shortens a longest path, yet a shorter path may exist outside the bush: add the links that shorten
            // a shortest path and run forward in the bush's topological order, which cannot close a cycle either.
            added = AddShortcuts(origin, longest: false);
        }
        if (added)
        {
            TopologicalOrder(origin);
        }
        // With no link added, the labels over the used links stand for the flow shift: nothing moved the costs since.
        _usedLabelsReady = !added;
    }

    /// <summary>
    /// Adds to the bush every link (i, j) between bush nodes with <c>L_i + t_ij &lt; L_j</c> by more than the shift
    /// tolerance, L being the longest (<paramref name="longest"/>) or else the shortest path cost, the latter only for
    /// links running forward in the topological order. Candidates leave a bush node, so only the out-links of the bush's
    /// nodes are looked at, not every link of the network.
    /// </summary>
    private bool AddShortcuts(int origin, bool longest)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var links = _bushLinks[origin]!;
        var label = longest ? _max : _min;
        var tolerance = ShiftTolerance * _options.RelativeGap;
        var added = false;
        for (var k = 0; k < _orderCount; k++)
        {
            var i = _order[k];
            if (!net.PassesThrough(i, origin))
            {
                continue;
            }
            for (var e = net.OutStart[i]; e < net.OutStart[i + 1]; e++)
            {
                var a = net.OutLinks[e];
                var j = net.To[a];
                if (!inBush[a] && (longest ? _position[j] >= 0 : k < _position[j]) && label[i] + _cost[a] < label[j] - tolerance * _min[j])
                {
                    inBush[a] = true;
                    links.Add(a);
                    added = true;
                }
            }
        }
        return added;
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
    private void TopologicalOrder(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        _order = _orders[origin] ??= new int[net.NodeCount];
        Array.Clear(_indegree);
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
        _orderCounts[origin] = _orderCount;
        if (visited != bushLinks)
        {
            throw new InvalidOperationException($"The bush of zone {origin + 1} has a cycle or a link not reachable from the zone");
        }
    }

    /// <summary>
    /// Shortest (min) and longest (max) path costs from the origin within the bush, in topological order, with the last
    /// link of each; with <paramref name="usedOnly"/>, longest paths run over links the origin uses. With
    /// <paramref name="dropUnused"/>, links the origin does not use leave the bush as they are passed, unless they end
    /// a shortest path: every node keeps the last link of its shortest path, so it stays reached and the order stays
    /// topological, and the longest paths are those of the bush that is left.
    /// </summary>
    /// <remarks>With <paramref name="alsoUsed"/>, the longest paths over used links go to the second set of labels as well.</remarks>
    private void Labels(int origin, bool usedOnly, bool dropUnused = false, bool alsoUsed = false)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
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
            int minPred = -1, maxPred = -1, usedMaxPred = -1;
            int first = net.InStart[j], end = net.InStart[j + 1];
            for (var e = first; e < end; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a] && _min[net.From[a]] + _cost[a] < min)
                {
                    min = _min[net.From[a]] + _cost[a];
                    minPred = a;
                }
            }
            for (var e = first; e < end; e++)
            {
                var a = net.InLinks[e];
                if (!inBush[a])
                {
                    continue;
                }
                if (dropUnused && bush[a] <= 0 && a != minPred)
                {
                    inBush[a] = false;
                    continue;
                }
                var c = _max[net.From[a]] + _cost[a];
                if ((!usedOnly || bush[a] > 0) && c > max)
                {
                    max = c;
                    maxPred = a;
                }
                if (alsoUsed && bush[a] > 0 && _usedMax[net.From[a]] + _cost[a] > usedMax)
                {
                    usedMax = _usedMax[net.From[a]] + _cost[a];
                    usedMaxPred = a;
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
}
