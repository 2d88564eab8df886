using IocTwin.Simulation.Tntp;

namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// A static assignment problem on arrays: links with BPR costs t = t0 (1 + b (x/c)^power) plus a fixed cost, zone
/// centroids (nodes below <see cref="FirstThroughNode"/>, which paths may start or end at but never pass through) and
/// the demand between zones. Nodes and zones are 0-based here: file node n is node n - 1.
/// </summary>
public sealed class EquilibriumNetwork
{
    public EquilibriumNetwork(int nodeCount, int firstThroughNode, int[] from, int[] to, double[] freeFlowTime, double[] capacity,
        double[] b, double[] power, double[] fixedCost, int zoneCount, IReadOnlyList<(int Origin, int Destination, double Volume)> demand)
    {
        ArgumentNullException.ThrowIfNull(demand);
        NodeCount = nodeCount;
        FirstThroughNode = firstThroughNode;
        From = from;
        To = to;
        FreeFlowTime = freeFlowTime;
        Capacity = capacity;
        B = b;
        Power = power;
        FixedCost = fixedCost;
        ZoneCount = zoneCount;
        (OutStart, OutLinks) = RoadNetwork.Csr(nodeCount, from);
        (InStart, InLinks) = RoadNetwork.Csr(nodeCount, to);

        // Demand grouped by origin zone, destinations in ascending order: the order every sum over demand follows.
        var byOrigin = demand.Where(d => d.Volume > 0 && d.Origin != d.Destination)
            .OrderBy(d => d.Origin).ThenBy(d => d.Destination).ToArray();
        var start = new int[zoneCount + 1];
        var destination = new int[byOrigin.Length];
        var volume = new double[byOrigin.Length];
        for (var k = 0; k < byOrigin.Length; k++)
        {
            var (o, d, v) = byOrigin[k];
            if ((uint)o >= (uint)zoneCount || (uint)d >= (uint)zoneCount)
            {
                throw new ArgumentException($"Demand from zone {o + 1} to zone {d + 1}: zones are 1..{zoneCount}", nameof(demand));
            }
            start[o + 1]++;
            destination[k] = d;
            volume[k] = v;
        }
        for (var z = 0; z < zoneCount; z++)
        {
            start[z + 1] += start[z];
        }
        SetDemand(start, destination, volume);
    }

    public int NodeCount { get; }
    public int LinkCount => From.Length;
    public int ZoneCount { get; }

    /// <summary>0-based: nodes with an index below this are centroids and are never passed through.</summary>
    public int FirstThroughNode { get; }

    public int[] From { get; }
    public int[] To { get; }
    public double[] FreeFlowTime { get; }
    public double[] Capacity { get; }
    public double[] B { get; }
    public double[] Power { get; }

    /// <summary>Cost that does not depend on volume (toll and distance, weighted by the file's factors).</summary>
    public double[] FixedCost { get; }

    public int[] OutStart { get; }
    public int[] OutLinks { get; }
    public int[] InStart { get; }
    public int[] InLinks { get; }

    /// <summary>Demand of origin zone o: entries DemandStart[o] .. DemandStart[o+1]-1.</summary>
    public int[] DemandStart { get; private set; } = [];
    public int[] DemandDestination { get; private set; } = [];
    public double[] DemandVolume { get; private set; } = [];

    /// <summary>
    /// Highest cost of each link whatever its volume (the simulator's slowest moving speed), or null for none; above
    /// it the cost stays flat.
    /// </summary>
    public double[]? CostCap { get; init; }

    /// <summary>
    /// Replaces the demand, already grouped by origin (entries <paramref name="start"/>[o] .. start[o+1]-1, destinations
    /// ascending, volumes positive): the simulator keeps one network and sets each assignment's demand on it. The arrays
    /// may run past the last entry, so that a caller can fill the same buffers for every assignment (a city's demand
    /// has millions of entries); what is past it is never read.
    /// </summary>
    public void SetDemand(int[] start, int[] destination, double[] volume)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(volume);
        if (start.Length != ZoneCount + 1 || start[0] != 0 || destination.Length < start[^1] || volume.Length < start[^1])
        {
            throw new ArgumentException("Demand offsets must cover every zone and every entry", nameof(start));
        }
        DemandStart = start;
        DemandDestination = destination;
        DemandVolume = volume;
    }

    /// <summary>Whether a path may continue out of <paramref name="node"/> when it started at <paramref name="origin"/>.</summary>
    public bool PassesThrough(int node, int origin) => node == origin || node >= FirstThroughNode;

    public double TotalDemand
    {
        get
        {
            var total = 0.0;
            foreach (var v in DemandVolume.AsSpan(0, DemandStart[^1]))
            {
                total += v;
            }
            return total;
        }
    }

    /// <summary>BPR travel time plus fixed cost of link <paramref name="a"/> at volume <paramref name="x"/>.</summary>
    public double Cost(int a, double x)
    {
        var b = B[a];
        var cost = b == 0 || x <= 0 ? FreeFlowTime[a] + FixedCost[a] : FreeFlowTime[a] * (1 + b * Pow(x / Capacity[a], Power[a])) + FixedCost[a];
        return CostCap is { } cap && cost > cap[a] ? cap[a] : cost;
    }

    /// <summary>d cost / d x of link <paramref name="a"/> at volume <paramref name="x"/>.</summary>
    /// <remarks>
    /// Past <see cref="CostCap"/> this stays the BPR curve's slope: the cost is flat there, but a zero slope would make
    /// Algorithm B move all movable flow at once and swing it back and forth between capped paths.
    /// </remarks>
    public double CostDerivative(int a, double x)
    {
        var p = Power[a];
        var b = B[a];
        if (b == 0 || p == 0 || x <= 0)
        {
            return b != 0 && p == 1 ? FreeFlowTime[a] * b / Capacity[a] : 0;
        }
        return FreeFlowTime[a] * b * p * Pow(x / Capacity[a], p - 1) / Capacity[a];
    }

    /// <summary>The Beckmann objective term of link <paramref name="a"/>: ∫0..x cost.</summary>
    public double CostIntegral(int a, double x)
    {
        if (x <= 0)
        {
            return 0;
        }
        var p = Power[a];
        var integral = FreeFlowTime[a] * x + FixedCost[a] * x;
        return B[a] == 0 ? integral : integral + FreeFlowTime[a] * B[a] * x * Pow(x / Capacity[a], p) / (p + 1);
    }

    /// <summary>Powers of the usual whole exponents by multiplication (Math.Pow is several times slower).</summary>
    private static double Pow(double r, double p) => p switch
    {
        4 => r * r * (r * r),
        1 => r,
        2 => r * r,
        3 => r * r * r,
        0 => 1,
        _ => Math.Pow(r, p),
    };

    /// <summary>
    /// The problem of a TNTP network and trip table. Fixed link cost = toll × &lt;TOLL FACTOR&gt; + length ×
    /// &lt;DISTANCE FACTOR&gt; (both 0 when the file does not set them, as in the collection's networks).
    /// </summary>
    public static EquilibriumNetwork FromTntp(TntpNetwork network, TntpTrips trips)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(trips);
        if (trips.ZoneCount != network.ZoneCount)
        {
            throw new ArgumentException($"The trip table has {trips.ZoneCount} zones, the network {network.ZoneCount}", nameof(trips));
        }
        var links = network.Links;
        var n = links.Count;
        var from = new int[n];
        var to = new int[n];
        var t0 = new double[n];
        var cap = new double[n];
        var b = new double[n];
        var power = new double[n];
        var fixedCost = new double[n];
        for (var a = 0; a < n; a++)
        {
            var link = links[a];
            from[a] = link.From - 1;
            to[a] = link.To - 1;
            t0[a] = link.FreeFlowTime;
            cap[a] = link.Capacity;
            b[a] = link.B;
            power[a] = link.Power;
            fixedCost[a] = link.Toll * network.TollFactor + link.Length * network.DistanceFactor;
        }
        var demand = trips.Demands.Select(d => (d.Origin - 1, d.Destination - 1, d.Volume)).ToArray();
        return new EquilibriumNetwork(network.NodeCount, network.FirstThroughNode - 1, from, to, t0, cap, b, power, fixedCost,
            network.ZoneCount, demand);
    }
}
