using System.Diagnostics;
using IocTwin.Benchmarks.Harness;
using IocTwin.Simulation.Equilibrium;
using IocTwin.Simulation.Tntp;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 6. Static assignment: a published network in TNTP format (Chicago Sketch by default, read from
/// <see cref="RunOptions.TntpDirectory"/>, never copied into the repository) assigned by Algorithm B to the relative
/// gap <see cref="RunOptions.AssignmentGap"/>, against plain Frank–Wolfe to the same gap in the same run.
/// </summary>
public static class AssignmentBenchmark
{
    public const string Name = "assignment";

    /// <summary>Plain Frank–Wolfe may need thousands of iterations: it stops here and reports the gap it reached.</summary>
    private static readonly TimeSpan FrankWolfeLimit = TimeSpan.FromSeconds(120);

    public static void Run(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var results = context.Results;
        if (options.TntpDirectory is not { } directory || !Directory.Exists(directory))
        {
            results.Note($"assignment: skipped, no TNTP network directory (--tntp=dir; default ../shared/data/tntp/ChicagoSketch beside the repository)");
            return;
        }
        Progress.Say($"static assignment: reading {directory}");
        var clock = Stopwatch.StartNew();
        var data = TntpReader.ReadDirectory(directory);
        var network = EquilibriumNetwork.FromTntp(data.Network, data.Trips);
        var read = clock.Elapsed.TotalSeconds;
        var gap = options.AssignmentGap;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        var size = $"{name} ({network.NodeCount:N0} nodes, {network.LinkCount:N0} links, {network.ZoneCount:N0} zones)";

        Progress.Say($"static assignment: plain Frank–Wolfe to relative gap {gap:0.#####}");
        clock.Restart();
        var fw = FrankWolfe.Solve(network, new EquilibriumOptions { RelativeGap = gap }, FrankWolfeLimit);
        var fwSeconds = clock.Elapsed.TotalSeconds;

        Progress.Say($"static assignment: Algorithm B to relative gap {gap:0.#####}");
        clock.Restart();
        var b = AlgorithmB.Solve(network, new EquilibriumOptions { RelativeGap = gap });
        var bSeconds = clock.Elapsed.TotalSeconds;

        var fwName = fw.Converged(gap) ? "plain Frank–Wolfe" : $"plain Frank–Wolfe (stopped at gap {fw.RelativeGap:0.###E+0})";
        results.Add(new Figure(Name, $"{size} to relative gap {gap:0.#####}, Algorithm B, wall time", bSeconds, Unit.Seconds, fwName, fwSeconds)
        {
            Target = "< 5 s on 2 cores",
            Met = b.Converged(gap) && bSeconds < 5,
        });
        results.Add(new Figure(Name, $"{size}, Algorithm B, iterations", b.Iterations, Unit.Count, fwName, fw.Iterations));
        results.Note($"assignment on {name}: files read in {read:N2} s; Algorithm B reached gap {b.RelativeGap:0.###E+0} in {b.Iterations} iterations, " +
            $"{bSeconds:N2} s (TSTT {b.TotalSystemTravelTime:N0}); plain Frank–Wolfe reached {fw.RelativeGap:0.###E+0} in {fw.Iterations} iterations, " +
            $"{fwSeconds:N2} s (TSTT {fw.TotalSystemTravelTime:N0}).");
    }
}
