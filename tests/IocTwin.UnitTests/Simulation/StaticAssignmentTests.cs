using IocTwin.Simulation.Equilibrium;
using IocTwin.Simulation.Tntp;

namespace IocTwin.Tests.Simulation;

/// <summary>Algorithm B on small networks whose equilibrium is known by hand.</summary>
public sealed class StaticAssignmentTests
{
    private static EquilibriumResult Solve(string net, string trips, double gap = 1e-8) =>
        AlgorithmB.Solve(
            EquilibriumNetwork.FromTntp(TntpReader.ReadNetwork(new StringReader(net), "t_net.tntp"), TntpReader.ReadTrips(new StringReader(trips), "t_trips.tntp")),
            new EquilibriumOptions { RelativeGap = gap });

    [Fact]
    public void Two_routes_share_the_demand_where_their_travel_times_are_equal()
    {
        // Route via node 3: t = 10 (1 + x/1000); via node 4: 15 whatever the volume. Equal at x = 500.
        var result = Solve("""
            <NUMBER OF ZONES> 2
            <NUMBER OF NODES> 4
            <FIRST THRU NODE> 3
            <NUMBER OF LINKS> 4
            <END OF METADATA>
            1 3 1000 1 10 1 1 0 0 1 ;
            3 2 1000 1 0 0 4 0 0 1 ;
            1 4 1000 1 15 0 4 0 0 1 ;
            4 2 1000 1 0 0 4 0 0 1 ;
            """, "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 2 : 1000;\n");

        Assert.Equal(500, result.Flow[0], 4);
        Assert.Equal(500, result.Flow[2], 4);
        Assert.Equal(15, result.Cost[0], 6);
        Assert.True(result.RelativeGap <= 1e-8, $"gap {result.RelativeGap}");
        Assert.Equal(15_000, result.TotalSystemTravelTime, 3);
    }

    [Fact]
    public void No_path_passes_through_a_zone_centroid_however_short()
    {
        // Zone 3 lies on a 2-minute path from 1 to 2; the only path that does not pass through it takes 20 minutes.
        var result = Solve("""
            <NUMBER OF ZONES> 3
            <NUMBER OF NODES> 4
            <FIRST THRU NODE> 4
            <NUMBER OF LINKS> 4
            <END OF METADATA>
            1 3 1000 1 1 0.15 4 0 0 1 ;
            3 2 1000 1 1 0.15 4 0 0 1 ;
            1 4 1000 1 10 0.15 4 0 0 1 ;
            4 2 1000 1 10 0.15 4 0 0 1 ;
            """, "<NUMBER OF ZONES> 3\n<END OF METADATA>\nOrigin 1\n 2 : 100; 3 : 50;\nOrigin 3\n 2 : 40;\n");

        Assert.Equal(50, result.Flow[0], 9);  // 1 → 3 carries only the trips to zone 3
        Assert.Equal(40, result.Flow[1], 9);  // 3 → 2 carries only the trips from zone 3
        Assert.Equal(100, result.Flow[2], 9); // 1 → 2 goes round by node 4
        Assert.Equal(100, result.Flow[3], 9);
    }

    private const string OneWay = """
        <NUMBER OF ZONES> 2
        <NUMBER OF NODES> 2
        <FIRST THRU NODE> 1
        <NUMBER OF LINKS> 1
        <END OF METADATA>
        1 2 1000 1 1 0.15 4 0 0 1 ;
        """;

    private const string Backwards = "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 2\n 1 : 10;\n";

    [Fact]
    public void Demand_that_has_no_path_is_refused_naming_the_zones()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Solve(OneWay, Backwards));

        Assert.Contains("Zone 2 has demand to zone 1 but no path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_Frank_Wolfe_refuses_demand_with_no_path_the_same_way_on_several_threads()
    {
        var network = EquilibriumNetwork.FromTntp(TntpReader.ReadNetwork(new StringReader(OneWay), "t_net.tntp"),
            TntpReader.ReadTrips(new StringReader(Backwards), "t_trips.tntp"));

        var error = Assert.Throws<InvalidOperationException>(() => FrankWolfe.Solve(network, new EquilibriumOptions { MaxDegreeOfParallelism = 2 }));

        Assert.Contains("Zone 2 has demand to zone 1 but no path", error.Message, StringComparison.Ordinal);
    }
}
