namespace IocTwin.Simulation.Tntp;

/// <summary>
/// One link of a TNTP network, node ids as in the file (1-based). Travel time follows the BPR function
/// t = <see cref="FreeFlowTime"/> (1 + <see cref="B"/> (x / <see cref="Capacity"/>)^<see cref="Power"/>).
/// </summary>
public sealed record TntpLink(
    int From, int To, double Capacity, double Length, double FreeFlowTime, double B, double Power, double Speed, double Toll, int LinkType);

/// <summary>
/// A network from a <c>_net.tntp</c> file. Nodes 1 .. <see cref="ZoneCount"/> are zones; nodes numbered below
/// <see cref="FirstThroughNode"/> are zone centroids that paths may start or end at but never pass through.
/// </summary>
public sealed record TntpNetwork(
    int ZoneCount, int NodeCount, int FirstThroughNode, IReadOnlyList<TntpLink> Links, double TollFactor, double DistanceFactor);

/// <summary>Origin–destination demand from a <c>_trips.tntp</c> file, zone ids as in the file (1-based).</summary>
public sealed record TntpTrips(int ZoneCount, double? DeclaredTotal, IReadOnlyList<TntpDemand> Demands)
{
    public double Total => Demands.Sum(d => d.Volume);
}

public readonly record struct TntpDemand(int Origin, int Destination, double Volume);

/// <summary>A node's coordinates from a <c>_node.tntp</c> file.</summary>
public readonly record struct TntpNode(int Id, double X, double Y);

/// <summary>A link's published flow and cost from a <c>_flow.tntp</c> file (the collection's best-known equilibrium).</summary>
public readonly record struct TntpLinkFlow(int From, int To, double Volume, double Cost);
