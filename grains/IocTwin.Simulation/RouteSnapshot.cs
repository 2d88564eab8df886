using IocTwin.Simulation.Dynamic;

namespace IocTwin.Simulation;

/// <summary>
/// What the steps of a run take from its last assignment (<see cref="AssignmentEngine"/>): each demand component's
/// link flows per unit of its scale, which components have routes, and the zone-to-zone times and reachability.
/// </summary>
internal sealed class RouteSnapshot : IEquilibriumRoutes
{
    /// <summary>Buffers the size of <paramref name="engine"/>'s routes.</summary>
    public RouteSnapshot(AssignmentEngine engine)
    {
        Flow = [.. engine.Flow.Select(flow => new double[flow.Length])];
        HasRoutes = new bool[engine.HasRoutes.Length];
        OdMinutes = new double[engine.OdMinutes.Length];
        OdReachable = new double[engine.OdReachable.Length];
    }

    /// <summary>Link flows of each component per unit of its scale, in vehicles per hour.</summary>
    public double[][] Flow { get; }

    /// <summary>Whether each component has routes: it was active at an assignment since the last start from scratch.</summary>
    public bool[] HasRoutes { get; }

    /// <summary>Zone-to-zone shortest travel time in minutes (origin × zones + destination); +∞ when unreachable.</summary>
    public double[] OdMinutes { get; }

    /// <summary>Share of each zone pair's trips (by node weights) that has a route.</summary>
    public double[] OdReachable { get; }

    /// <summary>Sum of the components' flows at the given scales into <paramref name="total"/>.</summary>
    public void TotalFlow(ReadOnlySpan<double> scale, double[] total) => TotalFlow(Flow, HasRoutes, scale, total);

    /// <summary>Sum of the flows of the components that have routes, at the given scales, into <paramref name="total"/>.</summary>
    public static void TotalFlow(double[][] flow, bool[] hasRoutes, ReadOnlySpan<double> scale, double[] total)
    {
        Array.Clear(total);
        for (var c = 0; c < flow.Length; c++)
        {
            var s = scale[c];
            if (s == 0 || !hasRoutes[c])
            {
                continue;
            }
            var componentFlow = flow[c];
            for (var a = 0; a < total.Length; a++)
            {
                total[a] += s * componentFlow[a];
            }
        }
    }

    /// <summary>Takes the routes of <paramref name="engine"/>'s last assignment.</summary>
    public void CopyFrom(AssignmentEngine engine) => CopyFrom(engine.Flow, engine.HasRoutes, engine.OdMinutes, engine.OdReachable);

    public void CopyFrom(RouteSnapshot other) => CopyFrom(other.Flow, other.HasRoutes, other.OdMinutes, other.OdReachable);

    private void CopyFrom(double[][] flow, bool[] hasRoutes, double[] odMinutes, double[] odReachable)
    {
        for (var c = 0; c < Flow.Length; c++)
        {
            flow[c].CopyTo(Flow[c], 0);
        }
        hasRoutes.CopyTo(HasRoutes, 0);
        odMinutes.CopyTo(OdMinutes, 0);
        odReachable.CopyTo(OdReachable, 0);
    }
}
