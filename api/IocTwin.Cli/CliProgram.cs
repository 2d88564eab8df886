using System.CommandLine;
using System.Globalization;
using IocTwin.Simulation.Tntp;

namespace IocTwin.Cli;

/// <summary>
/// <c>ioctwin assign &lt;directory&gt; [--gap 1e-4] [--algorithm b|frank-wolfe] [--max-iterations n]</c>: reads a
/// network in TNTP format (<c>*_net.tntp</c>, <c>*_trips.tntp</c>, and <c>*_flow.tntp</c> when present), assigns it
/// with the engine scenario runs use, and prints the gap reached, the iterations, TSTT and the comparison with the
/// best-known flows. Exit code 0 when the gap was reached, 3 when the iteration limit came first, 2 on bad input.
/// </summary>
public static class CliProgram
{
    public const int Converged = 0;
    public const int BadInput = 2;
    public const int NotConverged = 3;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The tool with its output and errors going to the given writers.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var directory = new Argument<DirectoryInfo>("directory") { Description = "Folder holding the network's *_net.tntp and *_trips.tntp (and *_flow.tntp)" };
        var gap = new Option<double>("--gap") { Description = "Relative gap to assign to (more than 0, less than 1)", DefaultValueFactory = _ => 1e-4 };
        gap.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and < 1))
            {
                result.AddError("--gap must be more than 0 and less than 1");
            }
        });
        var algorithm = new Option<string>("--algorithm") { Description = "b (Algorithm B) or frank-wolfe", DefaultValueFactory = _ => "b" };
        algorithm.AcceptOnlyFromAmong("b", "frank-wolfe");
        var maxIterations = new Option<int>("--max-iterations") { Description = "Stop after this many iterations whatever the gap", DefaultValueFactory = _ => 10_000 };
        maxIterations.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--max-iterations must be at least 1");
            }
        });

        var assign = new Command("assign", "Assign a TNTP network to a relative gap and compare it with its best-known flows")
        {
            directory, gap, algorithm, maxIterations,
        };
        assign.SetAction(parsed =>
        {
            var folder = parsed.GetValue(directory)!;
            TntpDataSet data;
            try
            {
                data = TntpReader.ReadDirectory(folder.FullName);
            }
            catch (Exception ex) when (ex is TntpFormatException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                error.WriteLine(ex.Message);
                return BadInput;
            }
            var chosen = parsed.GetValue(algorithm) == "frank-wolfe" ? AssignmentAlgorithm.FrankWolfe : AssignmentAlgorithm.AlgorithmB;
            TntpAssignmentResult result;
            try
            {
                result = TntpAssignment.Run(data, chosen, parsed.GetValue(gap), parsed.GetValue(maxIterations));
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                error.WriteLine(ex.Message); // e.g. demand between zones with no path
                return BadInput;
            }
            Print(output, folder.Name, data, result);
            return result.Converged ? Converged : NotConverged;
        });
        var root = new RootCommand("IocTwin command line") { assign };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static void Print(TextWriter output, string name, TntpDataSet data, TntpAssignmentResult result)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"network: {name} ({data.Network.NodeCount} nodes, {data.Network.Links.Count} links, {data.Network.ZoneCount} zones)"));
        output.WriteLine(string.Create(c, $"algorithm: {(result.Algorithm == AssignmentAlgorithm.FrankWolfe ? "frank-wolfe" : "b")}"));
        output.WriteLine(string.Create(c, $"requested gap: {result.RequestedGap:E2}"));
        output.WriteLine(string.Create(c, $"relative gap: {result.RelativeGap:E3} ({(result.Converged ? "converged" : "iteration limit reached")})"));
        output.WriteLine(string.Create(c, $"iterations: {result.Iterations}"));
        output.WriteLine(string.Create(c, $"TSTT: {result.TotalSystemTravelTime:F3}"));
        output.WriteLine(string.Create(c, $"seconds: {result.Seconds:F2}"));
        if (result.Comparison is { } k)
        {
            output.WriteLine(string.Create(c, $"best-known TSTT: {k.BestKnownTotalSystemTravelTime:F3} (difference {k.TotalSystemTravelTimeDifference:F3}, {k.RelativeTotalSystemTravelTimeDifference:P4})"));
            output.WriteLine(string.Create(c, $"link flows against best-known ({k.ComparedLinks} links): max relative difference {k.MaxRelativeFlowDifference:P4}, mean {k.MeanRelativeFlowDifference:P4}"));
        }
        else
        {
            output.WriteLine("best-known flows: none (no *_flow.tntp)");
        }
    }
}
