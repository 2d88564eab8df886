namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// The state Algorithm B keeps per origin: its bush (an acyclic set of links rooted at the origin) and the origin's
/// flow on each link. The flows say how the origin's traffic splits at every node (each in-link's share of the flow
/// through the node), which is what a later assignment starts from and what a loading model can route by.
/// </summary>
public sealed class Bushes
{
    internal Bushes(int zones)
    {
        InBush = new bool[zones][];
        Links = new List<int>[zones];
        Flow = new double[zones][];
        Order = new int[zones][];
        OrderCount = new int[zones];
    }

    /// <summary>Per origin, whether each link is in its bush; null for an origin with no bush.</summary>
    internal bool[]?[] InBush { get; }

    /// <summary>
    /// Per origin, its bush's links (the links <see cref="InBush"/> marks), so that passes over the bush cost its own
    /// links, not the network's; null for an origin with no bush.
    /// </summary>
    internal List<int>?[] Links { get; }

    /// <summary>Per origin, its flow on each link; null for an origin with no bush.</summary>
    internal double[]?[] Flow { get; }

    /// <summary>
    /// Per origin, its bush's nodes in a topological order from the origin (the first <see cref="OrderCount"/> entries),
    /// or null when links were added since: taking links out keeps an order topological, so it is sorted again only
    /// when the bush grows.
    /// </summary>
    internal int[]?[] Order { get; }

    internal int[] OrderCount { get; }

    public int ZoneCount => Flow.Length;

    public bool Has(int origin) => Flow[origin] is not null;

    /// <summary>The flow of <paramref name="origin"/> on each link (read-only view), or empty when it has no bush.</summary>
    public ReadOnlySpan<double> LinkFlow(int origin) => Flow[origin];

    /// <summary>
    /// Gives <paramref name="origin"/> a copy of the bush of <paramref name="sourceOrigin"/> in <paramref name="source"/>
    /// (the same links; its order is sorted again when used, as the nodes may be numbered otherwise).
    /// </summary>
    internal void CopyFrom(Bushes source, int sourceOrigin, int origin)
    {
        InBush[origin] = (bool[])source.InBush[sourceOrigin]!.Clone();
        Links[origin] = source.Links[sourceOrigin] is { } links ? [.. links] : null;
        Flow[origin] = (double[])source.Flow[sourceOrigin]!.Clone();
        Order[origin] = null;
    }

    /// <summary>Forgets an origin's bush: its next assignment starts from its shortest paths.</summary>
    public void Drop(int origin)
    {
        InBush[origin] = null;
        Links[origin] = null;
        Flow[origin] = null;
        Order[origin] = null;
    }
}
