using System.Numerics;

namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: starting an origin from the bush of an earlier assignment.
public sealed partial class AlgorithmB
{
    /// <summary>
    /// Warm starts of the origins that have a bush: each drops closed links and what they cut off from its bush, then
    /// loads its demand by the splits of its old flows (on the cheapest bush link where nothing went through). The
    /// origins whose bushes lost no link are loaded in parallel: each works on its own bush alone, with buffers of its
    /// chunk, so the result does not depend on the cores; with <paramref name="demandFactor"/> they are scaled by it
    /// instead. Returns the origins whose bush no longer reaches a destination, in origin order.
    /// </summary>
    private List<int> ReloadAll(double? demandFactor)
    {
        var net = _net;
        var kept = new List<int>();
        var lost = new bool[net.ZoneCount];
        for (var origin = 0; origin < net.ZoneCount; origin++)
        {
            if (!HasDemand(origin) || _inBush[origin] is null)
            {
                continue;
            }
            if (KeepsItsLinks(origin))
            {
                kept.Add(origin);
            }
            else
            {
                DropClosedLinks(origin);
                lost[origin] = !LoadBySplits(origin, _orders[origin]!, _orderCounts[origin], _reloadBuffers[0]);
            }
        }
        FixedChunks.Run(_reloadBuffers.Length, _parallel, chunk =>
        {
            var (first, last) = FixedChunks.Range(chunk, _reloadBuffers.Length, kept.Count);
            var buffers = _reloadBuffers[chunk];
            for (var n = first; n < last; n++)
            {
                var origin = kept[n];
                if (demandFactor is { } factor)
                {
                    Scale(_bushFlow[origin]!, factor);
                }
                else
                {
                    lost[origin] = !LoadBySplits(origin, _orders[origin]!, _orderCounts[origin], buffers);
                }
            }
        });
        var cold = new List<int>();
        for (var origin = 0; origin < net.ZoneCount; origin++)
        {
            if (lost[origin])
            {
                cold.Add(origin);
            }
        }
        return cold;
    }

    private static void Scale(double[] bush, double factor)
    {
        var flow = bush.AsSpan();
        var width = Vector<double>.Count;
        var a = 0;
        for (; a <= flow.Length - width; a += width)
        {
            (new Vector<double>(flow[a..]) * factor).CopyTo(flow[a..]);
        }
        for (; a < flow.Length; a++)
        {
            flow[a] *= factor;
        }
    }

    /// <summary>Takes closed links, and what they cut off, out of the origin's bush, and sorts what is left.</summary>
    private void DropClosedLinks(int origin)
    {
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
        for (var a = 0; a < inBush.Length; a++)
        {
            inBush[a] &= !double.IsPositiveInfinity(_cost[a]);
        }
        PruneUnreachable(origin);
        var links = _bushLinks[origin] ??= [];
        links.Clear();
        for (var a = 0; a < inBush.Length; a++)
        {
            if (inBush[a])
            {
                links.Add(a);
            }
            else
            {
                bush[a] = 0;
            }
        }
        _visit.TopologicalOrder(origin);
    }

    /// <summary>
    /// Loads the origin's demand on its bush (its nodes in <paramref name="order"/>) by the splits of its old flows, on
    /// the cheapest bush link where nothing went through; false, with the bush as it was, when the bush does not reach
    /// a destination. Touches the origin's bush and <paramref name="buffers"/> only.
    /// </summary>
    private bool LoadBySplits(int origin, int[] order, int count, ReloadBuffers buffers)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        var bush = _bushFlow[origin]!;
        buffers.WarmSum += WarmUp(bush, inBush);
        var nodeTrips = buffers.NodeTrips;
        var inOrder = buffers.InOrder;
        var stamp = ++buffers.Stamp;
        for (var k = 0; k < count; k++)
        {
            inOrder[order[k]] = stamp;
        }
        for (var k = net.DemandStart[origin]; k < net.DemandStart[origin + 1]; k++)
        {
            var destination = net.DemandDestination[k];
            if (inOrder[destination] != stamp)
            {
                Array.Clear(nodeTrips);
                return false;
            }
            nodeTrips[destination] += net.DemandVolume[k];
        }
        // The cheapest in-link takes what reaches a node no flow went through; labelled only when such a node turns up.
        var labelled = false;
        for (var k = count - 1; k >= 1; k--)
        {
            var j = order[k];
            var through = nodeTrips[j];
            nodeTrips[j] = 0;
            var inflow = 0.0;
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                inflow += inBush[a] ? bush[a] : 0;
            }
            if (inflow <= 0 && through > 0 && !labelled)
            {
                ShortestLabels(origin, order, count, buffers.Min, buffers.MinPred);
                labelled = true;
            }
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a])
                {
                    bush[a] = inflow > 0 ? through * bush[a] / inflow : a == buffers.MinPred[j] ? through : 0;
                    nodeTrips[net.From[a]] += bush[a];
                }
            }
        }
        nodeTrips[origin] = 0;
        return true;
    }

    /// <summary>Buffers of one chunk of warm starts.</summary>
    private sealed class ReloadBuffers(int nodes)
    {
        public double[] NodeTrips { get; } = new double[nodes];
        public int[] InOrder { get; } = new int[nodes];
        public double[] Min { get; } = new double[nodes];
        public int[] MinPred { get; } = new int[nodes];
        public int Stamp { get; set; }
        public double WarmSum { get; set; }
    }

    /// <summary>Whether the origin's bush has a topological order and none of its links now costs +∞ (closed).</summary>
    private bool KeepsItsLinks(int origin)
    {
        if (_orders[origin] is null || _bushLinks[origin] is not { } links)
        {
            return false;
        }
        foreach (var a in links)
        {
            if (double.IsPositiveInfinity(_cost[a]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Takes out of the origin's bush the links its other links no longer reach from the origin.</summary>
    private void PruneUnreachable(int origin)
    {
        var net = _net;
        var inBush = _inBush[origin]!;
        Array.Fill(_reached, -1);
        var count = 0;
        _queue[count++] = origin;
        _reached[origin] = 0;
        for (var head = 0; head < count; head++)
        {
            var u = _queue[head];
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var a = net.OutLinks[k];
                if (inBush[a] && _reached[net.To[a]] < 0)
                {
                    _reached[net.To[a]] = 0;
                    _queue[count++] = net.To[a];
                }
            }
        }
        for (var a = 0; a < inBush.Length; a++)
        {
            inBush[a] &= _reached[net.From[a]] >= 0;
        }
    }
}
