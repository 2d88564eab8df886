namespace IocTwin.Simulation;

/// <summary>
/// Traffic zones: where trips start and end. A zone's trips start at its origin nodes and end at its destination
/// connectors, each spread by weight (the weights of each list sum to 1). Trips within a zone never start and end at
/// the same node. A district starts trips at all its nodes and ends them at its best-connected nodes; the routing
/// needs one shortest-path tree per destination connector, so those are few, while origins cost nothing extra.
/// </summary>
internal sealed class ZoneSet
{
    private ZoneSet(List<Zone> zones)
    {
        Count = zones.Count;
        (OriginStart, OriginNode, OriginWeight) = Flatten(zones, z => z.Origins);
        (DestStart, DestNode, DestWeight) = Flatten(zones, z => z.Destinations);
        IntraNorm = new double[Count];
        for (var z = 0; z < Count; z++)
        {
            // Pairs (i, j) with i != j carry w_i w_j of the trips within the zone; they add up to 1 - Σ w_n w'_n.
            double same = 0;
            for (var k = DestStart[z]; k < DestStart[z + 1]; k++)
            {
                var node = DestNode[k];
                for (var m = OriginStart[z]; m < OriginStart[z + 1]; m++)
                {
                    if (OriginNode[m] == node)
                    {
                        same += OriginWeight[m] * DestWeight[k];
                    }
                }
            }
            IntraNorm[z] = 1 - same > 1e-9 ? 1 / (1 - same) : 0;
        }
    }

    /// <summary>A zone before flattening: nodes with weights summing to 1.</summary>
    public sealed record Zone((int Node, double Weight)[] Origins, (int Node, double Weight)[] Destinations);

    public int Count { get; }

    /// <summary>CSR offsets into <see cref="OriginNode"/> and <see cref="OriginWeight"/>.</summary>
    public int[] OriginStart { get; }

    public int[] OriginNode { get; }

    public double[] OriginWeight { get; }

    /// <summary>CSR offsets into <see cref="DestNode"/> and <see cref="DestWeight"/>.</summary>
    public int[] DestStart { get; }

    public int[] DestNode { get; }

    public double[] DestWeight { get; }

    /// <summary>1 / (share of a zone's internal trips that run between distinct nodes); 0 when there are none.</summary>
    public double[] IntraNorm { get; }

    public bool HasConnectors(int zone) => DestStart[zone + 1] > DestStart[zone] && OriginStart[zone + 1] > OriginStart[zone];

    public Zone this[int zone] => new(
        Enumerable.Range(OriginStart[zone], OriginStart[zone + 1] - OriginStart[zone]).Select(k => (OriginNode[k], OriginWeight[k])).ToArray(),
        Enumerable.Range(DestStart[zone], DestStart[zone + 1] - DestStart[zone]).Select(k => (DestNode[k], DestWeight[k])).ToArray());

    /// <summary>
    /// One zone per district: trips start at all its nodes and end at its <paramref name="connectors"/> nodes with the
    /// most road capacity, both in proportion to that capacity.
    /// </summary>
    public static List<Zone> Districts(RoadNetwork network, int connectors)
    {
        var byDistrict = new List<int>[network.DistrictCount];
        for (var d = 0; d < byDistrict.Length; d++)
        {
            byDistrict[d] = [];
        }
        for (var n = 0; n < network.NodeCount; n++)
        {
            if (network.NodeDistrictArray[n] >= 0)
            {
                byDistrict[network.NodeDistrictArray[n]].Add(n);
            }
        }
        var capacity = network.NodeCapacityArray;
        var zones = new List<Zone>(byDistrict.Length);
        foreach (var nodes in byDistrict)
        {
            nodes.Sort((a, b) => capacity[a] != capacity[b] ? capacity[b].CompareTo(capacity[a]) : a.CompareTo(b));
            zones.Add(new Zone(Weighted(nodes, capacity), Weighted(nodes.Take(connectors).ToList(), capacity)));
        }
        return zones;
    }

    /// <summary>A zone of the given nodes, equally weighted, for trips both ways.</summary>
    public static Zone Nodes(int[] nodes)
    {
        var weighted = nodes.Select(n => (n, 1.0 / nodes.Length)).ToArray();
        return new Zone(weighted, weighted);
    }

    public static ZoneSet Create(List<Zone> zones) => new(zones);

    private static (int Node, double Weight)[] Weighted(List<int> nodes, double[] capacity)
    {
        var total = nodes.Sum(n => capacity[n]);
        return nodes.Select(n => (n, capacity[n] / total)).ToArray();
    }

    private static (int[] Start, int[] Node, double[] Weight) Flatten(List<Zone> zones, Func<Zone, (int Node, double Weight)[]> pick)
    {
        var start = new int[zones.Count + 1];
        for (var z = 0; z < zones.Count; z++)
        {
            start[z + 1] = start[z] + pick(zones[z]).Length;
        }
        var node = new int[start[^1]];
        var weight = new double[start[^1]];
        for (var z = 0; z < zones.Count; z++)
        {
            var k = start[z];
            foreach (var (n, w) in pick(zones[z]))
            {
                node[k] = n;
                weight[k++] = w;
            }
        }
        return (start, node, weight);
    }
}

/// <summary>
/// One block of demand with its own time course: origin-destination rates in trips per hour, grouped by destination
/// zone. The flows it loads are kept per unit of its scale, so a demand that only grows or shrinks keeps its routes.
/// </summary>
internal sealed class OdComponent
{
    public OdComponent(int zones, IEnumerable<(int Origin, int Destination, double Rate)> entries)
    {
        var merged = new SortedDictionary<(int D, int O), double>();
        foreach (var (o, d, rate) in entries)
        {
            if (rate > 0)
            {
                merged[(d, o)] = merged.GetValueOrDefault((d, o)) + rate;
            }
        }
        DestStart = new int[zones + 1];
        Origin = new int[merged.Count];
        Rate = new double[merged.Count];
        var e = 0;
        foreach (var ((d, o), rate) in merged)
        {
            DestStart[d + 1]++;
            Origin[e] = o;
            Rate[e] = rate;
            e++;
        }
        for (var z = 0; z < zones; z++)
        {
            DestStart[z + 1] += DestStart[z];
        }
    }

    /// <summary>Entries for destination zone z are [DestStart[z], DestStart[z + 1]).</summary>
    public int[] DestStart { get; }

    public int[] Origin { get; }

    public double[] Rate { get; }
}
