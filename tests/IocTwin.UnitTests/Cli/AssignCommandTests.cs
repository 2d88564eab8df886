using System.Globalization;
using IocTwin.Cli;

namespace IocTwin.Tests.Cli;

/// <summary>The command-line tool on Sioux Falls (Simulation/Data/SiouxFalls): what an engineer reads off its output.</summary>
public sealed class AssignCommandTests
{
    private static readonly string SiouxFalls = Path.Combine(AppContext.BaseDirectory, "Simulation", "Data", "SiouxFalls");

    private static (int Code, Dictionary<string, string> Lines, string Error) Assign(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = CliProgram.Run(["assign", .. args], output, error);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": ", 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        return (code, lines, error.ToString());
    }

    private static double Leading(string text) =>
        double.Parse(text.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double Percent(string text, string after)
    {
        var rest = text[(text.IndexOf(after, StringComparison.Ordinal) + after.Length)..].TrimStart();
        return double.Parse(rest[..rest.IndexOf(' ', StringComparison.Ordinal)], NumberStyles.Float, CultureInfo.InvariantCulture) / 100;
    }

    [Fact]
    public void Sioux_Falls_to_1e_6_prints_the_gap_reached_and_flows_within_a_tenth_of_a_percent_of_the_best_known()
    {
        var (code, lines, _) = Assign(SiouxFalls, "--gap", "1e-6");

        Assert.Equal(CliProgram.Converged, code);
        Assert.InRange(Leading(lines["relative gap"]), 0, 1e-6);
        Assert.Contains("converged", lines["relative gap"]);
        Assert.True(int.Parse(lines["iterations"], CultureInfo.InvariantCulture) > 0);
        var links = lines.Single(l => l.Key.StartsWith("link flows against best-known", StringComparison.Ordinal)).Value;
        Assert.InRange(Percent(links, "max relative difference"), 0, 1e-3);
        var tsttShare = lines["best-known TSTT"].Split(", ")[1].TrimEnd(')', '%', ' ');
        Assert.InRange(Math.Abs(double.Parse(tsttShare, NumberStyles.Float, CultureInfo.InvariantCulture) / 100), 0, 1e-4);
    }

    [Fact]
    public void An_iteration_limit_reached_first_is_said_and_gives_its_own_exit_code()
    {
        var (code, lines, _) = Assign(SiouxFalls, "--gap", "1e-9", "--algorithm", "frank-wolfe", "--max-iterations", "3");

        Assert.Equal(CliProgram.NotConverged, code);
        Assert.Equal("3", lines["iterations"]);
        Assert.Contains("iteration limit reached", lines["relative gap"]);
        Assert.True(Leading(lines["relative gap"]) > 1e-9);
    }

    [Fact]
    public void A_broken_network_file_is_refused_naming_file_line_and_field()
    {
        var folder = Directory.CreateTempSubdirectory("tntp-");
        try
        {
            foreach (var file in Directory.GetFiles(SiouxFalls, "*.tntp"))
            {
                File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            }
            var net = Path.Combine(folder.FullName, "SiouxFalls_net.tntp");
            var text = File.ReadAllLines(net);
            var first = Array.FindIndex(text, l => l.TrimStart().StartsWith("1\t", StringComparison.Ordinal) || l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
            var fields = text[first].Split('\t', StringSplitOptions.RemoveEmptyEntries);
            text[first] = text[first].Replace(fields[2], "lots", StringComparison.Ordinal);
            File.WriteAllLines(net, text);

            var (code, _, error) = Assign(folder.FullName);

            Assert.Equal(CliProgram.BadInput, code);
            Assert.Contains("SiouxFalls_net.tntp", error);
            Assert.Contains($"line {first + 1}", error);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void A_gap_outside_zero_to_one_is_refused(string gap)
    {
        var (code, _, error) = Assign(SiouxFalls, "--gap", gap);

        Assert.NotEqual(CliProgram.Converged, code);
        Assert.Contains("--gap", error);
    }
}
