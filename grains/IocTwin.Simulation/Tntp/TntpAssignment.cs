using IocTwin.Simulation.Equilibrium;

namespace IocTwin.Simulation.Tntp;

/// <summary>The static assignment algorithms a published network can be run with.</summary>
public enum AssignmentAlgorithm
{
    /// <summary>Algorithm B (bush-based), the one scenario runs use.</summary>
    AlgorithmB,

    /// <summary>Plain Frank–Wolfe with an exact line search, the textbook yardstick.</summary>
    FrankWolfe,
}

/// <summary>One link's assigned flow and cost, node ids as in the network's file.</summary>
public sealed record AssignedLink(int From, int To, double Flow, double Cost);

/// <summary>
/// How an assignment compares with a network's best-known flows (its <c>_flow.tntp</c>): the largest and mean relative
/// difference |x − x*| / x* over links with a best-known flow above 0 (<see cref="ComparedLinks"/> of them; links
/// with none compare by <see cref="MaxAbsoluteDifferenceOnUnusedLinks"/>), and the total system travel time against
/// the best-known one, Σ x* × t*.
/// </summary>
public sealed record BestKnownComparison(
    double MaxRelativeFlowDifference, double MeanRelativeFlowDifference, int ComparedLinks, double MaxAbsoluteDifferenceOnUnusedLinks,
    double BestKnownTotalSystemTravelTime, double TotalSystemTravelTimeDifference, double RelativeTotalSystemTravelTimeDifference);

/// <summary>An assignment of a published network: the gap reached, the iterations used, TSTT, link flows and the comparison.</summary>
public sealed record TntpAssignmentResult(
    AssignmentAlgorithm Algorithm, double RequestedGap, double RelativeGap, int Iterations, bool Converged, double TotalSystemTravelTime,
    double Seconds, IReadOnlyList<AssignedLink> Links, BestKnownComparison? Comparison);

/// <summary>Runs a TNTP network through the scenario runs' equilibrium engine and compares it with its best-known flows.</summary>
public static class TntpAssignment
{
    public static TntpAssignmentResult Run(TntpDataSet data, AssignmentAlgorithm algorithm, double gap, int maxIterations = 10_000,
        int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var network = EquilibriumNetwork.FromTntp(data.Network, data.Trips);
        var options = new EquilibriumOptions { RelativeGap = gap, MaxIterations = maxIterations, MaxDegreeOfParallelism = maxDegreeOfParallelism };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = algorithm == AssignmentAlgorithm.FrankWolfe ? FrankWolfe.Solve(network, options) : AlgorithmB.Solve(network, options);
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var links = data.Network.Links.Select((l, a) => new AssignedLink(l.From, l.To, result.Flow[a], result.Cost[a])).ToArray();
        return new TntpAssignmentResult(algorithm, gap, result.RelativeGap, result.Iterations, result.Converged(gap),
            result.TotalSystemTravelTime, seconds, links, data.BestKnownFlows is { } best ? Compare(links, result.TotalSystemTravelTime, best) : null);
    }

    /// <summary>Compares assigned links with best-known flows, matched by their end nodes; a link the file lacks is an error.</summary>
    public static BestKnownComparison Compare(IReadOnlyList<AssignedLink> links, double tstt, IReadOnlyList<TntpLinkFlow> best)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(best);
        var byEnds = new Dictionary<(int, int), TntpLinkFlow>();
        foreach (var flow in best)
        {
            byEnds[(flow.From, flow.To)] = flow;
        }
        double max = 0, sum = 0, unused = 0;
        var compared = 0;
        foreach (var link in links)
        {
            if (!byEnds.TryGetValue((link.From, link.To), out var known))
            {
                throw new ArgumentException($"The best-known flows have no link {link.From}→{link.To}", nameof(best));
            }
            if (known.Volume > 0)
            {
                var relative = Math.Abs(link.Flow - known.Volume) / known.Volume;
                max = Math.Max(max, relative);
                sum += relative;
                compared++;
            }
            else
            {
                unused = Math.Max(unused, Math.Abs(link.Flow));
            }
        }
        var bestTstt = best.Sum(f => f.Volume * f.Cost);
        return new BestKnownComparison(max, compared > 0 ? sum / compared : 0, compared, unused, bestTstt, tstt - bestTstt,
            bestTstt > 0 ? (tstt - bestTstt) / bestTstt : 0);
    }
}
