namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: moving an origin's flow from its longest used path segments to its shortest.
public sealed partial class AlgorithmB
{
    /// <summary>
    /// At every node, farthest first, moves flow from the longest used path segment to the shortest one, where the two
    /// differ by more than <see cref="ShiftTolerance"/> of the shortest path's cost.
    /// </summary>
    private void ShiftFlows(int origin)
    {
        var bush = _bushFlow[origin]!;
        var tolerance = ShiftTolerance * _options.RelativeGap;
        // The visit just labelled the bush (ImproveBush): the shortest paths over it as it is now, and the longest used
        // paths, which links added without flow leave as they were.
        (_max, _usedMax) = (_usedMax, _max);
        (_maxPred, _usedMaxPred) = (_usedMaxPred, _maxPred);
        for (var k = _orderCount - 1; k >= 1; k--)
        {
            var j = _order[k];
            // Walking both path segments back is the costly part, and a difference this small is not worth one.
            if (_maxPred[j] < 0 || _maxPred[j] == _minPred[j] || _max[j] - _min[j] <= tolerance * _min[j])
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
}
