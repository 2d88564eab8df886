namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Dijkstra's shortest-path tree from one origin, honouring the first-through-node rule: a centroid other than the
/// origin is reached but not expanded, so no path passes through it.
/// </summary>
public sealed class ShortestPathTree
{
    private readonly EquilibriumNetwork _network;
    private readonly NodeHeap _queue;
    private readonly double[] _nodeTrips;
    private int _settledCount;

    public ShortestPathTree(EquilibriumNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        Distance = new double[network.NodeCount];
        PredecessorLink = new int[network.NodeCount];
        SettleOrder = new int[network.NodeCount];
        _nodeTrips = new double[network.NodeCount];
        _queue = new NodeHeap(network.NodeCount);
    }

    /// <summary>Cost of the shortest path from the origin; +∞ where unreachable.</summary>
    public double[] Distance { get; }

    /// <summary>Last link of the shortest path to each node; -1 at the origin and where unreachable.</summary>
    public int[] PredecessorLink { get; }

    /// <summary>Reached nodes in the order they were settled (non-decreasing distance); <see cref="SettledCount"/> of them.</summary>
    public int[] SettleOrder { get; }

    public int SettledCount => _settledCount;

    public void Build(int origin, double[] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var net = _network;
        Array.Fill(Distance, double.PositiveInfinity);
        Array.Fill(PredecessorLink, -1);
        _settledCount = 0;
        _queue.Clear();
        Distance[origin] = 0;
        _queue.Update(origin, 0);
        while (_queue.TryPop(out var u))
        {
            var du = Distance[u];
            SettleOrder[_settledCount++] = u;
            if (!net.PassesThrough(u, origin))
            {
                continue;
            }
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var a = net.OutLinks[k];
                var v = net.To[a];
                var candidate = du + cost[a];
                if (candidate < Distance[v])
                {
                    // A settled node is never improved on (costs are not negative), so only queued or new nodes get here.
                    Distance[v] = candidate;
                    PredecessorLink[v] = a;
                    _queue.Update(v, candidate);
                }
            }
        }
    }

    /// <summary>Σ demand × shortest path cost over the origin's destinations; throws when one has no path.</summary>
    public double DemandCost(int origin) => DemandCost(_network, origin, Distance);

    /// <summary>Σ demand × <paramref name="distance"/> over the origin's destinations; throws when one has no path.</summary>
    internal static double DemandCost(EquilibriumNetwork net, int origin, double[] distance)
    {
        double total = 0;
        for (var k = net.DemandStart[origin]; k < net.DemandStart[origin + 1]; k++)
        {
            var d = distance[net.DemandDestination[k]];
            if (double.IsPositiveInfinity(d))
            {
                throw new InvalidOperationException(
                    $"Zone {origin + 1} has demand to zone {net.DemandDestination[k] + 1} but no path to it (centroids are not passed through)");
            }
            total += net.DemandVolume[k] * d;
        }
        return total;
    }

    /// <summary>Adds the origin's demand, each trip on its shortest path, to <paramref name="linkFlow"/>.</summary>
    public void LoadDemand(int origin, double[] linkFlow)
    {
        ArgumentNullException.ThrowIfNull(linkFlow);
        var net = _network;
        var trips = _nodeTrips;
        Array.Clear(trips);
        for (var k = net.DemandStart[origin]; k < net.DemandStart[origin + 1]; k++)
        {
            trips[net.DemandDestination[k]] += net.DemandVolume[k];
        }
        // Push trips back towards the origin, farthest nodes first.
        for (var i = _settledCount - 1; i >= 1; i--)
        {
            var node = SettleOrder[i];
            var amount = trips[node];
            if (amount == 0)
            {
                continue;
            }
            var a = PredecessorLink[node];
            linkFlow[a] += amount;
            trips[net.From[a]] += amount;
        }
    }
}
