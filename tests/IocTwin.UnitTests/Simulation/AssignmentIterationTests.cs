using IocTwin.Simulation.Equilibrium;
using IocTwin.Simulation.Tntp;

namespace IocTwin.Tests.Simulation;

/// <summary>
/// How Algorithm B gets to its gap on Sioux Falls (Data/SiouxFalls): the shifting passes after each iteration, and a
/// warm start after a demand that drifted alike everywhere.
/// </summary>
public sealed class AssignmentIterationTests
{
    private static readonly TntpDataSet SiouxFalls = TntpReader.ReadDirectory(Path.Combine(AppContext.BaseDirectory, "Simulation", "Data", "SiouxFalls"));

    private static EquilibriumNetwork Network() => EquilibriumNetwork.FromTntp(SiouxFalls.Network, SiouxFalls.Trips);

    [Fact]
    public void Shifting_passes_after_each_iteration_reach_the_gap_in_fewer_iterations()
    {
        var options = new EquilibriumOptions { RelativeGap = 1e-6 };

        var onePass = AlgorithmB.Solve(Network(), options with { ShiftPasses = 0 });
        var withPasses = AlgorithmB.Solve(Network(), options);

        Assert.True(onePass.RelativeGap <= 1e-6 && withPasses.RelativeGap <= 1e-6, $"gaps {onePass.RelativeGap:E2}, {withPasses.RelativeGap:E2}");
        Assert.True(withPasses.Iterations < onePass.Iterations / 2, $"{withPasses.Iterations} iterations with passes, {onePass.Iterations} without");
        Assert.Equal(onePass.TotalSystemTravelTime, withPasses.TotalSystemTravelTime, 1e-5 * onePass.TotalSystemTravelTime);
    }

    [Fact]
    public void Bushes_scaled_with_a_demand_that_drifted_alike_carry_the_flows_loading_them_again_gives()
    {
        // Two solvers that reach the same bushes bit for bit; then the demand grows by a tenth everywhere.
        var (scaledNet, loadedNet) = (Network(), Network());
        var (scaledSolver, loadedSolver) = (new AlgorithmB(scaledNet), new AlgorithmB(loadedNet));
        var scaledBushes = scaledSolver.Solve(warm: null).Bushes;
        var loadedBushes = loadedSolver.Solve(warm: null).Bushes;
        foreach (var net in new[] { scaledNet, loadedNet })
        {
            net.SetDemand(net.DemandStart, net.DemandDestination, [.. net.DemandVolume.Select(v => v * 1.1)]);
        }

        // The starting loading alone: scaled by the factor, or walked by the splits of the old flows.
        var scaled = scaledSolver.Solve(scaledBushes, maxIterations: 0, demandFactor: 1.1);
        var loaded = loadedSolver.Solve(loadedBushes, maxIterations: 0);

        Assert.Equal(scaledNet.TotalDemand, loadedNet.TotalDemand);
        for (var a = 0; a < scaled.Flow.Length; a++)
        {
            Assert.Equal(loaded.Flow[a], scaled.Flow[a], 1e-9 * Math.Max(1, loaded.Flow[a]));
        }
        Assert.Equal(loaded.RelativeGap, scaled.RelativeGap, 1e-9);
    }
}
