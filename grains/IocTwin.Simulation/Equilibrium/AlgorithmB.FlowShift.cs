namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: moving an origin's flow from its longest used path segments to its shortest.
public sealed partial class AlgorithmB
{
    private sealed partial class BushVisit
    {
        private readonly List<int> _minSegment = [];
        private readonly List<int> _maxSegment = [];

        /// <summary>
        /// Shifts the origin's flows again on its bush as it is, labelled at the link costs now (other origins' shifts
        /// have moved them since its visit).
        /// </summary>
        public void ShiftAgain(int origin)
        {
            UseOrder(origin);
            UsedPathLabels(origin);
            ShiftFlows(origin);
        }

        /// <summary>
        /// The shortest paths within the bush and the longest over the links the origin uses, each with its last link,
        /// in one pass over the bush in topological order; ties go to the first in-link, as in <c>BushLabels</c>.
        /// </summary>
        private void UsedPathLabels(int origin)
        {
            var net = _s._net;
            var inBush = _s._inBush[origin]!;
            var bush = _s._bushFlow[origin]!;
            var costs = _s._cost;
            var inLinks = net.InLinks;
            var from = net.From;
            Min[origin] = 0;
            MinPred[origin] = -1;
            UsedMax[origin] = 0;
            UsedMaxPred[origin] = -1;
            for (var k = 1; k < OrderCount; k++)
            {
                var j = Order[k];
                double min = double.PositiveInfinity, usedMax = double.NegativeInfinity;
                int minPred = -1, usedMaxPred = -1;
                for (int e = net.InStart[j], end = net.InStart[j + 1]; e < end; e++)
                {
                    var a = inLinks[e];
                    if (!inBush[a])
                    {
                        continue;
                    }
                    var i = from[a];
                    if (Min[i] + costs[a] < min)
                    {
                        min = Min[i] + costs[a];
                        minPred = a;
                    }
                    if (bush[a] > 0 && UsedMax[i] + costs[a] > usedMax)
                    {
                        usedMax = UsedMax[i] + costs[a];
                        usedMaxPred = a;
                    }
                }
                Min[j] = min;
                MinPred[j] = minPred;
                UsedMax[j] = usedMax;
                UsedMaxPred[j] = usedMaxPred;
            }
        }

        /// <summary>
        /// At every node, farthest first, moves flow from the longest used path segment to the shortest one, where the two
        /// differ by more than <see cref="ShiftTolerance"/> of the shortest path's cost.
        /// </summary>
        public void ShiftFlows(int origin)
        {
            var bush = _s._bushFlow[origin]!;
            var tolerance = ShiftTolerance * _s._options.RelativeGap;
            // The bush was just labelled (Improve or ShiftAgain): the shortest paths over it as it is now, and the longest
            // used paths, which links added without flow leave as they were.
            (Max, UsedMax) = (UsedMax, Max);
            (MaxPred, UsedMaxPred) = (UsedMaxPred, MaxPred);
            for (var k = OrderCount - 1; k >= 1; k--)
            {
                var j = Order[k];
                // Walking both path segments back is the costly part, and a difference this small is not worth one.
                if (MaxPred[j] < 0 || MaxPred[j] == MinPred[j] || Max[j] - Min[j] <= tolerance * Min[j])
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
                    longCost += _s._cost[a];
                    slope += _s._derivative[a];
                    movable = Math.Min(movable, bush[a]);
                }
                foreach (var a in _minSegment)
                {
                    shortCost += _s._cost[a];
                    slope += _s._derivative[a];
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
                    var removed = left < _s._residue[origin] ? bush[a] : shift;
                    bush[a] -= removed;
                    _s.SetFlow(a, _s._flow[a] - removed);
                }
                foreach (var a in _minSegment)
                {
                    bush[a] += shift;
                    _s.SetFlow(a, _s._flow[a] + shift);
                }
            }
        }

        /// <summary>
        /// The shortest and longest used path segments ending at <paramref name="j"/> back to the node where they last
        /// meet; false when the longest path runs out (flow below what doubles resolve).
        /// </summary>
        private bool Segments(int j)
        {
            var from = _s._net.From;
            _minSegment.Clear();
            _maxSegment.Clear();
            var a = MinPred[j];
            var b = MaxPred[j];
            _minSegment.Add(a);
            _maxSegment.Add(b);
            var p = from[a];
            var q = from[b];
            while (p != q)
            {
                if (Position[p] > Position[q])
                {
                    a = MinPred[p];
                    _minSegment.Add(a);
                    p = from[a];
                }
                else
                {
                    b = MaxPred[q];
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

    private void SetFlow(int a, double x)
    {
        x = Math.Max(0, x);
        _flow[a] = x;
        _cost[a] = _net.Cost(a, x);
        _derivative[a] = _net.CostDerivative(a, x);
    }
}
