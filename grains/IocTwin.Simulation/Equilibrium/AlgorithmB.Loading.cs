namespace IocTwin.Simulation.Equilibrium;

// Algorithm B: routing demand along the bushes by the splits of their flows.
public sealed partial class AlgorithmB
{
    /// <summary>
    /// Adds trips to <paramref name="linkFlow"/> along the bush of <paramref name="origin"/>, split at every node as
    /// the bush's flows split there (a node the origin sends nothing through passes trips on by its first bush link).
    /// <paramref name="nodeTrips"/> holds the trips to each node and is cleared on the way.
    /// </summary>
    public void Load(Bushes bushes, int origin, double[] nodeTrips, double[] linkFlow)
    {
        ArgumentNullException.ThrowIfNull(bushes);
        ArgumentNullException.ThrowIfNull(nodeTrips);
        ArgumentNullException.ThrowIfNull(linkFlow);
        var inBush = bushes.InBush[origin] ?? throw new ArgumentException($"Zone {origin + 1} has no bush", nameof(origin));
        var bush = bushes.Flow[origin]!;
        Use(bushes);
        var visit = _visit;
        visit.UseOrder(origin);
        var order = visit.Order;
        var net = _net;
        for (var k = visit.OrderCount - 1; k >= 1; k--)
        {
            var j = order[k];
            var through = nodeTrips[j];
            if (through == 0)
            {
                continue;
            }
            nodeTrips[j] = 0;
            var inflow = 0.0;
            var first = -1;
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a])
                {
                    inflow += bush[a];
                    first = first < 0 ? a : first;
                }
            }
            for (var e = net.InStart[j]; e < net.InStart[j + 1]; e++)
            {
                var a = net.InLinks[e];
                if (inBush[a])
                {
                    var share = inflow > 0 ? through * bush[a] / inflow : a == first ? through : 0;
                    linkFlow[a] += share;
                    nodeTrips[net.From[a]] += share;
                }
            }
        }
        nodeTrips[origin] = 0;
    }
}
