namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: starting an origin from the bush of an earlier assignment.
public sealed partial class AlgorithmB
{
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
        if (KeepsItsLinks(origin))
        {
            // Nothing in the bush closed: its links and order stand, and only the flows change.
            UseOrder(origin);
        }
        else
        {
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
            TopologicalOrder(origin);
        }
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
        // The cheapest in-link takes what reaches a node no flow went through; labelled only when such a node turns up.
        var labelled = false;
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
            if (inflow <= 0 && through > 0 && !labelled)
            {
                Labels(origin, usedOnly: false);
                labelled = true;
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
        Array.Fill(_position, -1);
        var count = 0;
        _queue[count++] = origin;
        _position[origin] = 0;
        for (var head = 0; head < count; head++)
        {
            var u = _queue[head];
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var a = net.OutLinks[k];
                if (inBush[a] && _position[net.To[a]] < 0)
                {
                    _position[net.To[a]] = 0;
                    _queue[count++] = net.To[a];
                }
            }
        }
        for (var a = 0; a < inBush.Length; a++)
        {
            inBush[a] &= _position[net.From[a]] >= 0;
        }
    }
}
