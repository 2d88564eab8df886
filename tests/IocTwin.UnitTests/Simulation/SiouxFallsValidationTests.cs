using IocTwin.Simulation.Equilibrium;
using IocTwin.Simulation.Tntp;

namespace IocTwin.Tests.Simulation;

/// <summary>
/// Sioux Falls from the Transportation Networks collection (Data/SiouxFalls, with its source and terms): Algorithm B
/// against the collection's best-known user-equilibrium flows.
/// </summary>
public sealed class SiouxFallsValidationTests
{
    private const double RequestedGap = 1e-6;

    private static readonly TntpDataSet SiouxFalls = TntpReader.ReadDirectory(Path.Combine(AppContext.BaseDirectory, "Simulation", "Data", "SiouxFalls"));

    private static readonly Lazy<EquilibriumResult> OneThread = new(() => Solve(1));

    private static EquilibriumResult Solve(int threads) =>
        AlgorithmB.Solve(EquilibriumNetwork.FromTntp(SiouxFalls.Network, SiouxFalls.Trips),
            new EquilibriumOptions { RelativeGap = RequestedGap, MaxDegreeOfParallelism = threads });

    [Fact]
    public void Every_link_flow_is_within_a_tenth_of_a_percent_of_the_best_known_flow()
    {
        var result = OneThread.Value;
        var links = SiouxFalls.Network.Links;
        var best = SiouxFalls.BestKnownFlows!;
        Assert.Equal(links.Count, best.Count);

        for (var a = 0; a < links.Count; a++)
        {
            var published = best.Single(f => f.From == links[a].From && f.To == links[a].To).Volume;
            Assert.True(Math.Abs(result.Flow[a] - published) <= 1e-3 * published,
                $"link {links[a].From}→{links[a].To}: {result.Flow[a]:F3} against {published:F3}");
        }
    }

    [Fact]
    public void Total_system_travel_time_is_within_a_hundredth_of_a_percent_of_the_best_known()
    {
        var result = OneThread.Value;
        var published = SiouxFalls.BestKnownFlows!.Sum(f => f.Volume * f.Cost);

        Assert.True(Math.Abs(result.TotalSystemTravelTime - published) <= 1e-4 * published,
            $"TSTT {result.TotalSystemTravelTime:F1} against {published:F1}");
    }

    [Fact]
    public void The_gap_reached_is_at_most_the_gap_requested_and_is_what_the_flows_give()
    {
        var result = OneThread.Value;

        Assert.True(result.RelativeGap <= RequestedGap, $"gap {result.RelativeGap:E3}");
        Assert.True(result.Iterations > 0);
        Assert.Equal(result.RelativeGap, result.GapByIteration[^1]);
        var recomputed = IndependentGap(SiouxFalls.Network, SiouxFalls.Trips, result.Flow);
        Assert.True(Math.Abs(recomputed - result.RelativeGap) <= 1e-10, $"reported {result.RelativeGap:E6}, flows give {recomputed:E6}");
    }

    [Fact]
    public void The_gap_is_measured_less_often_than_every_iteration_and_the_run_stops_at_the_first_measured_gap_within_the_request()
    {
        var result = OneThread.Value;

        // A measurement is a shortest-path tree per zone: skipping some is where the time goes less.
        Assert.True(result.GapByIteration.Count < result.Iterations + 1,
            $"{result.GapByIteration.Count} measurements for {result.Iterations} iterations");
        Assert.All(result.GapByIteration.SkipLast(1), gap => Assert.True(gap > RequestedGap, $"measured {gap:E3} and went on"));
        Assert.True(result.GapByIteration[^1] <= RequestedGap);
    }

    [Fact]
    public void The_result_is_the_same_bit_for_bit_on_one_and_on_two_threads()
    {
        var one = OneThread.Value;
        var two = Solve(2);

        Assert.Equal(one.Iterations, two.Iterations);
        Assert.Equal(one.RelativeGap, two.RelativeGap);
        Assert.Equal(one.Flow, two.Flow);
    }

    /// <summary>
    /// (TSTT − SPTT) / TSTT from the link flows alone, with the BPR function and a plain Dijkstra written out here,
    /// apart from the library's code: centroids (below the first through node) are not passed through.
    /// </summary>
    private static double IndependentGap(TntpNetwork net, TntpTrips trips, double[] flow)
    {
        var links = net.Links;
        var cost = new double[links.Count];
        double tstt = 0;
        for (var a = 0; a < links.Count; a++)
        {
            var l = links[a];
            cost[a] = l.FreeFlowTime * (1 + l.B * Math.Pow(flow[a] / l.Capacity, l.Power));
            tstt += flow[a] * cost[a];
        }
        double sptt = 0;
        foreach (var origin in trips.Demands.Select(d => d.Origin).Distinct())
        {
            var dist = new double[net.NodeCount + 1];
            Array.Fill(dist, double.PositiveInfinity);
            var done = new bool[net.NodeCount + 1];
            dist[origin] = 0;
            for (var round = 0; round < net.NodeCount; round++)
            {
                var u = -1;
                for (var n = 1; n <= net.NodeCount; n++)
                {
                    if (!done[n] && (u < 0 || dist[n] < dist[u]))
                    {
                        u = n;
                    }
                }
                done[u] = true;
                if (u != origin && u < net.FirstThroughNode)
                {
                    continue;
                }
                for (var a = 0; a < links.Count; a++)
                {
                    if (links[a].From == u)
                    {
                        dist[links[a].To] = Math.Min(dist[links[a].To], dist[u] + cost[a]);
                    }
                }
            }
            sptt += trips.Demands.Where(d => d.Origin == origin).Sum(d => d.Volume * dist[d.Destination]);
        }
        return (tstt - sptt) / tstt;
    }
}
