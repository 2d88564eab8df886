namespace IocTwin.Simulation.Dynamic;

/// <summary>
/// What dynamic loading takes from the static assignment: the equilibrium link flows of the current demand, from
/// which the turn fractions at every junction follow, and which zone pairs have a route at all.
/// </summary>
internal interface IEquilibriumRoutes
{
    /// <summary>Share of each zone pair's trips (origin × zones + destination) that has a route.</summary>
    double[] OdReachable { get; }

    /// <summary>Equilibrium link flows, vehicles per hour, of the demand components at <paramref name="scale"/>.</summary>
    void TotalFlow(ReadOnlySpan<double> scale, double[] total);
}
