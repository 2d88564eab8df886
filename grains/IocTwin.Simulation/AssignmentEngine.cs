namespace IocTwin.Simulation;

/// <summary>
/// Static traffic assignment by Frank–Wolfe: all-or-nothing loadings on shortest-path trees (<see cref="AllOrNothingLoader"/>),
/// combined with the current flows by an exact line search on the Beckmann objective.
/// </summary>
/// <remarks>
/// Flows are kept per demand component and per unit of its scale, so a demand that only grows or shrinks keeps its
/// routes between updates. The loadings are the same bit for bit whatever the number of cores, and so are the flows.
/// </remarks>
internal sealed class AssignmentEngine : Dynamic.IEquilibriumRoutes
{
    private const int LineSearchSteps = 30;

    private readonly OdComponent[] _components;
    private readonly ZoneSet _zones;
    private readonly AllOrNothingLoader _loader;
    private readonly double[][] _loaded;
    private readonly bool[] _loadActive;
    private readonly bool[] _dropRoutes;
    private readonly double[] _direction;

    public AssignmentEngine(RoadNetwork network, ZoneSet zones, OdComponent[] components, int? maxDegreeOfParallelism)
    {
        _zones = zones;
        _components = components;
        _loader = new AllOrNothingLoader(network, zones, components, maxDegreeOfParallelism);
        _loaded = _loader.Loaded;
        Flow = new double[components.Length][];
        for (var c = 0; c < components.Length; c++)
        {
            Flow[c] = new double[network.LinkCount];
        }
        _direction = new double[network.LinkCount];
        Iterations = new int[components.Length];
        _loadActive = new bool[components.Length];
        _dropRoutes = new bool[components.Length];
    }

    /// <summary>Link flows of each component per unit of its scale, in vehicles per hour.</summary>
    public double[][] Flow { get; }

    /// <summary>Iterations of each component since its routes were last found from scratch; 0 = no routes yet.</summary>
    public int[] Iterations { get; }

    /// <summary>Zone-to-zone shortest travel time in minutes (origin × zones + destination) at the last gathering; +∞ when unreachable.</summary>
    public double[] OdMinutes => _loader.OdMinutes;

    /// <summary>Share of each zone pair's trips (by node weights) that has a route at the last gathering.</summary>
    public double[] OdReachable => _loader.OdReachable;

    /// <summary>Relative gap of the last iteration: how far the flows are from user equilibrium (0 = there).</summary>
    public double LastGap { get; private set; }

    /// <summary>Sum of the components' flows at the given scales into <paramref name="total"/>.</summary>
    public void TotalFlow(ReadOnlySpan<double> scale, double[] total)
    {
        Array.Clear(total);
        for (var c = 0; c < _components.Length; c++)
        {
            var s = scale[c];
            if (s == 0 || Iterations[c] == 0)
            {
                continue;
            }
            var flow = Flow[c];
            for (var a = 0; a < total.Length; a++)
            {
                total[a] += s * flow[a];
            }
        }
    }

    /// <summary>
    /// After links close or open (<paramref name="before"/> → <paramref name="after"/>), drops the routes of every
    /// component whose flows no longer fit: those sending traffic over a link just closed, and, when a link opens,
    /// those with trips that had no route (they may have one now). Their next equilibrium starts from scratch; the
    /// other components carry on from their current routes.
    /// </summary>
    public void DropInfeasibleRoutes(bool[] before, bool[] after)
    {
        var opened = false;
        for (var a = 0; a < before.Length; a++)
        {
            if (before[a] == after[a])
            {
                continue;
            }
            if (after[a])
            {
                opened = true;
                continue;
            }
            for (var c = 0; c < _components.Length; c++)
            {
                _dropRoutes[c] |= Iterations[c] > 0 && Flow[c][a] != 0;
            }
        }
        if (!opened)
        {
            return;
        }
        var zones = _zones.Count;
        for (var c = 0; c < _components.Length; c++)
        {
            var od = _components[c];
            for (var d = 0; d < zones && !_dropRoutes[c]; d++)
            {
                for (var e = od.DestStart[d]; e < od.DestStart[d + 1]; e++)
                {
                    if (OdReachable[od.Origin[e] * zones + d] < 1)
                    {
                        _dropRoutes[c] = true;
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Up to <paramref name="iterations"/> Frank–Wolfe iterations for the components with a non-zero scale, stopping
    /// early below <paramref name="gapTolerance"/>. A component with no routes (never loaded, dropped by
    /// <see cref="DropInfeasibleRoutes"/>, or all of them when <paramref name="fromScratch"/>) first takes its
    /// all-or-nothing loading whole, on the travel times of the current flows. The last iteration's trees give the
    /// zone-to-zone times.
    /// </summary>
    /// <returns>
    /// The all-or-nothing sweeps run, the relative gap last measured (NaN when the last sweep only loaded new routes)
    /// and whether the gap fell below the tolerance, which ends the iterations before the step.
    /// </returns>
    public (int Iterations, double Gap, bool Converged) Equilibrate(LinkConditions conditions, ReadOnlySpan<double> scale, int iterations,
        bool fromScratch, double gapTolerance, double[] total, double[] cost)
    {
        TotalFlow(scale, total);
        conditions.ComputeCosts(total, cost);
        for (var c = 0; c < _components.Length; c++)
        {
            if (fromScratch || _dropRoutes[c])
            {
                Iterations[c] = 0;
            }
            _dropRoutes[c] = false;
        }
        var sweeps = 0;
        for (var it = 0; it < iterations; it++)
        {
            sweeps++;
            if (it > 0)
            {
                TotalFlow(scale, total);
                conditions.ComputeCosts(total, cost);
            }
            var fresh = false;
            for (var c = 0; c < _components.Length; c++)
            {
                _loadActive[c] = scale[c] != 0;
                fresh |= _loadActive[c] && Iterations[c] == 0;
            }
            AllOrNothing(cost, gatherOd: true);

            if (fresh)
            {
                // New routes: take the loading whole for the components that had none.
                for (var c = 0; c < _components.Length; c++)
                {
                    if (_loadActive[c] && Iterations[c] == 0)
                    {
                        _loaded[c].CopyTo(Flow[c], 0);
                        Iterations[c] = 1;
                    }
                }
                LastGap = double.NaN;
                continue;
            }

            // Direction towards the all-or-nothing flows, the gap, and the best step along the direction.
            Array.Clear(_direction);
            for (var c = 0; c < _components.Length; c++)
            {
                if (!_loadActive[c])
                {
                    continue;
                }
                var s = scale[c];
                var flow = Flow[c];
                var loaded = _loaded[c];
                for (var a = 0; a < _direction.Length; a++)
                {
                    _direction[a] += s * (loaded[a] - flow[a]);
                }
            }
            double current = 0, shortest = 0;
            for (var a = 0; a < _direction.Length; a++)
            {
                if (total[a] != 0 || _direction[a] != 0)
                {
                    current += total[a] * cost[a];
                    shortest += (total[a] + _direction[a]) * cost[a];
                }
            }
            LastGap = current > 0 ? (current - shortest) / current : 0;
            if (LastGap < gapTolerance)
            {
                return (sweeps, LastGap, true);
            }
            var step = LineSearch(conditions, total);
            for (var c = 0; c < _components.Length; c++)
            {
                if (!_loadActive[c])
                {
                    continue;
                }
                var flow = Flow[c];
                var loaded = _loaded[c];
                for (var a = 0; a < flow.Length; a++)
                {
                    flow[a] += step * (loaded[a] - flow[a]);
                }
                Iterations[c]++;
            }
        }
        return (sweeps, sweeps == 0 ? double.NaN : LastGap, false);
    }

    /// <summary>Zone-to-zone times and reachability only, on the given link costs; no flows change.</summary>
    public void GatherTimes(double[] costMinutes)
    {
        Array.Clear(_loadActive);
        AllOrNothing(costMinutes, gatherOd: true);
    }

    /// <summary>The step λ in [0, 1] minimizing the Beckmann objective along the direction: Σ d·t(x + λd) = 0, by bisection.</summary>
    private double LineSearch(LinkConditions conditions, double[] total)
    {
        double Slope(double lambda)
        {
            double slope = 0;
            for (var a = 0; a < _direction.Length; a++)
            {
                var d = _direction[a];
                if (d != 0 && conditions.Available[a])
                {
                    slope += d * conditions.TravelHours(a, total[a] + lambda * d);
                }
            }
            return slope;
        }

        return StepSearch.Bisect(Slope, LineSearchSteps);
    }

    /// <summary>Loads each active component on shortest paths at <paramref name="costMinutes"/> into <see cref="_loaded"/>.</summary>
    private void AllOrNothing(double[] costMinutes, bool gatherOd) => _loader.Load(costMinutes, _loadActive, gatherOd);
}
