namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Plain Frank–Wolfe (all-or-nothing direction, exact line search on the Beckmann objective): the textbook method, kept
/// as the yardstick Algorithm B is measured against. Deterministic on any number of cores, as its sweep is.
/// </summary>
public static class FrankWolfe
{
    private const int LineSearchSteps = 50;

    /// <summary>Iterates until the relative gap is at most the requested one, or the iteration or time limit is reached.</summary>
    public static EquilibriumResult Solve(EquilibriumNetwork network, EquilibriumOptions? options = null, TimeSpan? timeLimit = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new EquilibriumOptions();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var sweep = new ShortestPathSweep(network, options.MaxDegreeOfParallelism);
        var links = network.LinkCount;
        var flow = new double[links];
        var cost = new double[links];
        var target = new double[links];
        for (var a = 0; a < links; a++)
        {
            cost[a] = network.Cost(a, 0);
        }
        sweep.Run(cost, flow);

        var gaps = new List<double>();
        var iterations = 0;
        while (true)
        {
            double tstt = 0;
            for (var a = 0; a < links; a++)
            {
                cost[a] = network.Cost(a, flow[a]);
                tstt += flow[a] * cost[a];
            }
            var sptt = sweep.Run(cost, target);
            var gap = tstt > 0 ? Math.Max(0, (tstt - sptt) / tstt) : 0;
            gaps.Add(gap);
            if (gap <= options.RelativeGap || iterations >= options.MaxIterations ||
                (timeLimit is { } limit && System.Diagnostics.Stopwatch.GetElapsedTime(started) > limit))
            {
                return new EquilibriumResult(flow, cost, gap, iterations, tstt, sptt, gaps);
            }
            var step = LineSearch(network, flow, target);
            for (var a = 0; a < links; a++)
            {
                flow[a] += step * (target[a] - flow[a]);
            }
            iterations++;
        }
    }

    /// <summary>The step λ in [0, 1] where the Beckmann objective stops falling along x + λ (y − x), by bisection.</summary>
    private static double LineSearch(EquilibriumNetwork network, double[] flow, double[] target)
    {
        double Slope(double lambda)
        {
            double slope = 0;
            for (var a = 0; a < flow.Length; a++)
            {
                var d = target[a] - flow[a];
                if (d != 0)
                {
                    slope += d * network.Cost(a, flow[a] + lambda * d);
                }
            }
            return slope;
        }

        return StepSearch.Bisect(Slope, LineSearchSteps);
    }
}
